// Starts the DSFR script once the style sheets are in (a deferred script runs after them): on a slow
// link the script would otherwise share the bandwidth with the style sheets and delay the first paint.
// It still runs before the page's load event. The pages work without it (no-JS menu fallback).
(function () {
  var script = document.createElement("script");
  script.type = "module";
  script.src = document.currentScript.getAttribute("data-src");
  document.body.appendChild(script);
})();
