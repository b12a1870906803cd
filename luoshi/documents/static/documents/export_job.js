// A background export's page: ask for its progress every two seconds until it is finished.
(function () {
  "use strict";
  var box = document.getElementById("ls-export-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("[data-export-bar]");
  var fill = box.querySelector("[data-export-fill]");
  function show(job) {
    var percent = job.percent;
    bar.setAttribute("aria-valuenow", String(percent));
    fill.className = "progress-bar ls-progress-" + percent;
    fill.textContent = percent + "%";
    box.querySelector("[data-export-status]").textContent = job.status_label;
    box.querySelector("[data-export-rows]").textContent = job.rows_text;
    if (job.status === "ready" || job.status === "failed") {
      window.location.reload();  // the page then shows the download (or the failure)
      return;
    }
    window.setTimeout(poll, 2000);
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(show)
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
