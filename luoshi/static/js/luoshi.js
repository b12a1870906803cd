/* Luoshi page behaviour. No inline scripts anywhere: the CSP forbids them. */
(function () {
  "use strict";

  // Ask before destructive actions: <form data-confirm="..."> or <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  }, true);

  // Selects marked data-autosubmit submit their form (filters above tables).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.requestSubmit();
    }
  });

  // Toggle the side navigation on small screens.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-ls-toggle-nav]");
    if (toggle) {
      var nav = document.getElementById("ls-sidebar");
      if (nav) { nav.classList.toggle("show"); }
    }
  });

  // htmx sends the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
})();
