// The presidium's protocol order on the participants page: drag a name to its place, or focus
// it and press Alt+ArrowUp / Alt+ArrowDown (its arrow buttons do the same); × takes it off, the
// select adds a participant. Each entry carries a hidden `order` input, so the posted form is
// the order as shown; the server (the same service as the API) decides.
(function () {
  "use strict";
  var dragged = null;

  function entries(list) { return Array.prototype.slice.call(list.querySelectorAll(".ls-presidium-entry")); }

  function say(kind, entry, list) {
    var status = document.getElementById("presidium-status");
    if (!status) { return; }
    var name = entry.querySelector(".ls-presidium-name").textContent;
    var text = status.getAttribute(kind === "removed" ? "data-removed" : "data-moved") || "";
    status.textContent = text.replace("{name}", name).replace("{n}", String(entries(list).indexOf(entry) + 1));
  }

  function move(entry, step) {
    var list = entry.parentNode;
    if (step < 0 && entry.previousElementSibling) {
      list.insertBefore(entry, entry.previousElementSibling);
    } else if (step > 0 && entry.nextElementSibling) {
      list.insertBefore(entry.nextElementSibling, entry);
    } else {
      return;
    }
    entry.focus();
    say("moved", entry, list);
  }

  function remove(entry, select) {
    var list = entry.parentNode;
    var next = entry.nextElementSibling || entry.previousElementSibling;
    var option = document.createElement("option");
    option.value = entry.getAttribute("data-person");
    option.textContent = entry.querySelector(".ls-presidium-name").textContent;
    if (select) { select.appendChild(option); }
    say("removed", entry, list);
    list.removeChild(entry);
    if (next) { next.focus(); } else if (select) { select.focus(); }
  }

  function wire(entry, select) {
    entry.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-move]");
      if (!button) { return; }
      var what = button.getAttribute("data-move");
      if (what === "remove") { remove(entry, select); } else { move(entry, what === "up" ? -1 : 1); }
    });
    entry.addEventListener("keydown", function (e) {
      if (e.target !== entry) { return; }
      if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
        e.preventDefault();
        move(entry, e.key === "ArrowUp" ? -1 : 1);
      } else if (e.key === "ArrowUp" && entry.previousElementSibling) {
        e.preventDefault();
        entry.previousElementSibling.focus();
      } else if (e.key === "ArrowDown" && entry.nextElementSibling) {
        e.preventDefault();
        entry.nextElementSibling.focus();
      } else if (e.key === "Delete") {
        e.preventDefault();
        remove(entry, select);
      }
    });
    entry.addEventListener("dragstart", function (e) {
      dragged = entry;
      entry.classList.add("opacity-50");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", entry.getAttribute("data-person"));
    });
    entry.addEventListener("dragend", function () {
      entry.classList.remove("opacity-50");
      dragged = null;
    });
    entry.addEventListener("dragover", function (e) {
      if (!dragged || dragged === entry) { return; }
      e.preventDefault();
      var box = entry.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      entry.parentNode.insertBefore(dragged, after ? entry.nextSibling : entry);
    });
    entry.addEventListener("drop", function (e) {
      e.preventDefault();
      if (dragged) { say("moved", dragged, dragged.parentNode); }
    });
  }

  function start() {
    var list = document.getElementById("presidium-order");
    if (!list) { return; }
    var select = document.getElementById("presidium-add");
    var template = document.getElementById("presidium-entry");
    entries(list).forEach(function (entry) { wire(entry, select); });
    var add = document.getElementById("presidium-add-button");
    if (!add || !select || !template) { return; }
    add.addEventListener("click", function () {
      var option = select.options[select.selectedIndex];
      if (!option || !option.value) { return; }
      var entry = template.content.firstElementChild.cloneNode(true);
      entry.setAttribute("data-person", option.value);
      entry.querySelector("input[name='order']").value = option.value;
      entry.querySelector(".ls-presidium-name").textContent = option.textContent.replace(/（.*）$/, "");
      list.appendChild(entry);
      wire(entry, select);
      select.removeChild(option);
      entry.focus();
      say("moved", entry, list);
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
