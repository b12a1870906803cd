// The seating editor: move a person to another seat by dragging, or with the keyboard (Enter
// picks a seat up, the arrow keys go to another seat, Enter puts it there, Escape cancels; L
// locks or unlocks). A move posts the page's hidden form, so the server (the same service as
// the API) decides; nothing is kept in the browser.
(function () {
  "use strict";
  var picked = null;

  function seats() { return Array.prototype.slice.call(document.querySelectorAll(".ls-seat")); }

  function post(formId, values) {
    var form = document.getElementById(formId);
    Object.keys(values).forEach(function (name) {
      form.querySelector("input[name='" + name + "']").value = values[name];
    });
    form.submit();
  }

  function move(from, to) {
    if (!from || !to || from === to) { return; }
    post("seat-move-form", { seat: from.getAttribute("data-seat"), to: to.getAttribute("data-seat") });
  }

  function neighbour(seat, key) {
    var all = seats().filter(function (s) { return s.getAttribute("data-area") === seat.getAttribute("data-area"); });
    var row = parseInt(seat.getAttribute("data-row"), 10);
    var pos = parseInt(seat.getAttribute("data-position"), 10);
    var dr = key === "ArrowUp" ? -1 : key === "ArrowDown" ? 1 : 0;
    var dp = key === "ArrowLeft" ? -1 : key === "ArrowRight" ? 1 : 0;
    var best = null;
    all.forEach(function (s) {
      var r = parseInt(s.getAttribute("data-row"), 10);
      var p = parseInt(s.getAttribute("data-position"), 10);
      if (dr && r === row + dr && (!best || Math.abs(p - pos) < Math.abs(parseInt(best.getAttribute("data-position"), 10) - pos))) { best = s; }
      if (dp && r === row && p === pos + dp) { best = s; }
    });
    return best;
  }

  function start() {
    var root = document.getElementById("seating");
    if (!root || root.getAttribute("data-editable") !== "1") { return; }
    seats().forEach(function (seat) {
      seat.addEventListener("dragstart", function (e) {
        e.dataTransfer.setData("text/plain", seat.getAttribute("data-seat"));
      });
      seat.addEventListener("dragover", function (e) { e.preventDefault(); });
      seat.addEventListener("drop", function (e) {
        e.preventDefault();
        var id = e.dataTransfer.getData("text/plain");
        move(document.querySelector(".ls-seat[data-seat='" + id + "']"), seat);
      });
      seat.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          if (picked === null) {
            picked = seat;
            seat.classList.add("ls-seat-picked");
            seat.setAttribute("aria-pressed", "true");
          } else {
            var from = picked;
            picked = null;
            move(from, seat);
          }
        } else if (e.key === "Escape" && picked) {
          picked.classList.remove("ls-seat-picked");
          picked.removeAttribute("aria-pressed");
          picked = null;
        } else if (e.key === "l" || e.key === "L") {
          post("seat-lock-form", { seat: seat.getAttribute("data-seat"), action: seat.getAttribute("data-locked") ? "unlock" : "lock" });
        } else if (e.key.indexOf("Arrow") === 0) {
          var next = neighbour(seat, e.key);
          if (next) { e.preventDefault(); next.focus(); }
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
