// The door screen: reload the sign-in QR code (an SVG drawn by the server) every few seconds,
// so that it follows the token, which changes every minute.
(function () {
  "use strict";
  function start() {
    var img = document.getElementById("door-qr");
    if (!img) { return; }
    var base = img.getAttribute("data-src");
    var seconds = parseInt(img.getAttribute("data-refresh-seconds") || "15", 10);
    window.setInterval(function () {
      img.setAttribute("src", base + "?t=" + Date.now());
    }, seconds * 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
