// Progressive enhancement for the directory pages: everything works without this file.
(function () {
  "use strict";

  // "Imprimer" buttons are hidden until this script can make them work.
  document.querySelectorAll("[data-cb-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Commune autocomplete: fills the <datalist> from /api/territoires/communes?q=
  var input = document.getElementById("id_commune");
  var list = document.getElementById("communes-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null;
  var lastQuery = "";
  input.addEventListener("input", function () {
    var query = input.value.trim();
    if (query.length < 2 || query === lastQuery) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      lastQuery = query;
      fetch("/api/territoires/communes?limit=8&q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (communes) {
          list.replaceChildren();
          communes.forEach(function (commune) {
            var option = document.createElement("option");
            option.value = commune.label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* the form still works without suggestions */ });
    }, 200);
  });
})();
