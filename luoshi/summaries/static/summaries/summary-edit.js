// The live character count of a unit summary: every character but white space counts (as
// luoshi.summaries.rules.char_count), each [[n]] counted as the text of citation n. Shows the
// total against the round's maximum and the main section against its minimum; the server
// checks both again on submit.
(function () {
  "use strict";
  var TOKEN = /\[\[(\d{1,4})\]\]/g;
  function count(text, cites) {
    var expanded = text.replace(TOKEN, function (m, n) { return cites[n] !== undefined ? cites[n] : m; });
    return expanded.replace(/\s/g, "").length;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("summary-form");
    var out = document.getElementById("summary-counter");
    if (!form || !out) { return; }
    var data = document.getElementById("summary-citations");
    var cites = data ? JSON.parse(data.textContent) : {};
    var max = parseInt(form.dataset.totalMax, 10) || 0;
    var min = parseInt(form.dataset.highlightsMin, 10) || 0;
    var areas = form.querySelectorAll("textarea[data-section]");
    var lang = document.documentElement.lang || "zh-hans";
    var zh = lang.indexOf("zh") === 0;
    function update() {
      var total = 0, main = 0;
      areas.forEach(function (a) {
        var n = count(a.value, cites);
        total += n;
        if (a.dataset.section === "achievements") { main = n; }
      });
      out.textContent = zh
        ? "全文 " + total + " / " + max + " 字；主要工作和成效 " + main + " 字（至少 " + min + " 字）"
        : "Total " + total + " / " + max + " characters; main work and results " + main + " (at least " + min + ")";
      out.classList.toggle("text-danger", total > max || main < min);
    }
    areas.forEach(function (a) { a.addEventListener("input", update); });
    update();
  });
})();
