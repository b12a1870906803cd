/* One-page decisions (the appraisal committee's list, the routine quarter's confirmation):
   a live counter of the capped grade against its cap, and of the rows changed.
   The form carries data-quota-cap and, optionally, data-quota-grade (default "excellent");
   each choice is a <select data-decision data-proposed="..." data-initial="...">, where the
   value "proposed" stands for the proposal. No inline script: the CSP forbids it. */
(function () {
  "use strict";

  function effective(select) {
    return select.value === "proposed" ? select.dataset.proposed || "" : select.value;
  }

  function update(form) {
    var grade = form.dataset.quotaGrade || "excellent";
    var cap = parseInt(form.dataset.quotaCap || "0", 10);
    var count = 0;
    var changed = 0;
    form.querySelectorAll("select[data-decision]").forEach(function (select) {
      if (effective(select) === grade) { count += 1; }
      var row = select.closest("tr");
      var differs = select.value !== (select.dataset.initial || "");
      if (differs) { changed += 1; }
      if (row) { row.classList.toggle("table-warning", differs); }
    });
    form.querySelectorAll("[data-fixed-grade]").forEach(function (el) {
      if (el.dataset.fixedGrade === grade) { count += 1; }
    });
    var countEl = form.querySelector("#quota-count");
    var overEl = form.querySelector("#quota-over");
    var changedEl = form.querySelector("#changed-count");
    if (countEl) { countEl.textContent = String(count); }
    if (overEl) { overEl.classList.toggle("d-none", count <= cap); }
    if (changedEl) { changedEl.textContent = String(changed); }
    var live = form.querySelector("#quota-live");
    if (live) { live.classList.toggle("text-danger", count > cap); }
  }

  function init() {
    document.querySelectorAll("form[data-quota-cap]").forEach(function (form) {
      form.addEventListener("change", function (event) {
        if (event.target.matches && event.target.matches("select[data-decision]")) {
          update(form);
        }
      });
      update(form);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
