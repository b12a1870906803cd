// A live character counter under every <textarea data-counter="N"> (N: the limit), announced
// politely to screen readers; the server checks the limit again.
(function () {
  "use strict";
  function attach(area) {
    var limit = parseInt(area.dataset.counter, 10);
    if (!limit) { return; }
    var out = document.createElement("div");
    out.className = "form-text ls-counter";
    out.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", out);
    function update() {
      var n = area.value.trim().length;
      out.textContent = n + " / " + limit;
      out.classList.toggle("text-danger", n > limit);
    }
    area.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-counter]").forEach(attach);
  });
})();
