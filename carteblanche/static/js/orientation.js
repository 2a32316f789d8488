/* Orientation form: "start from my position" (progressive enhancement: without JavaScript or
   geolocation the block stays hidden and trips start from the commune's reference point). */
(function () {
  "use strict";
  var box = document.getElementById("cb-position");
  if (!box || !("geolocation" in navigator)) return;
  var button = document.getElementById("cb-position-button");
  var clear = document.getElementById("cb-position-clear");
  var status = document.getElementById("cb-position-status");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  box.hidden = false;

  function show(text, known) {
    status.textContent = text;
    clear.hidden = !known;
  }
  if (latitude.value && longitude.value) show("Position enregistrée : vos trajets partiront de là.", true);

  button.addEventListener("click", function () {
    show("Recherche de votre position…", false);
    navigator.geolocation.getCurrentPosition(
      function (found) {
        latitude.value = found.coords.latitude.toFixed(5);
        longitude.value = found.coords.longitude.toFixed(5);
        show("Position enregistrée (à " + Math.round(found.coords.accuracy) + " m près) : vos trajets partiront de là.", true);
      },
      function () {
        show("Position non disponible : vos trajets partiront du centre de la commune.", false);
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
    );
  });
  clear.addEventListener("click", function () {
    latitude.value = "";
    longitude.value = "";
    show("Position retirée : vos trajets partiront du centre de la commune.", false);
  });
})();
