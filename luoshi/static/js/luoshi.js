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

  // Selects marked data-autosubmit submit their form (filters above tables, the language) when
  // a choice is made with the pointer. With the keyboard an arrow key only changes the value:
  // Enter (or the form's button, shown on focus) submits, so moving through the options never
  // reloads the page under the reader (WCAG 3.2.2, on input).
  var pointerSelect = null;
  document.addEventListener("pointerdown", function (event) {
    var el = event.target;
    pointerSelect = el && el.closest ? el.closest("select[data-autosubmit]") : null;
  }, true);
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if (!(el.matches && el.matches("select[data-autosubmit]"))) { return; }
    if (event.key === "Enter" && el.form) {
      event.preventDefault();
      el.form.requestSubmit();
    } else {
      pointerSelect = null;
    }
  }, true);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form && el === pointerSelect) {
      pointerSelect = null;
      el.form.requestSubmit();
    }
  });

  // Toggle the side navigation on small screens. While it is open over the page, a tap beside
  // it (or Escape) closes it and does nothing else: the link under the finger is not followed.
  function setNav(open) {
    var nav = document.getElementById("ls-sidebar");
    if (!nav) { return; }
    nav.classList.toggle("show", open);
    document.querySelectorAll("[data-ls-toggle-nav]").forEach(function (button) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function navOpen() {
    var nav = document.getElementById("ls-sidebar");
    return !!(nav && nav.classList.contains("show"));
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-ls-toggle-nav]");
    if (toggle) {
      setNav(!navOpen());
      return;
    }
    if (navOpen() && !event.target.closest("#ls-sidebar, .ls-topbar")) {
      event.preventDefault();
      event.stopPropagation();
      setNav(false);
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && navOpen()) { setNav(false); }
  });

  // <details data-ls-collapse-narrow open> (the ledger's filters) is open on a desktop and
  // starts closed on a phone-sized window, where it would fill the first screen.
  if (window.matchMedia && window.matchMedia("(max-width: 767.98px)").matches) {
    document.querySelectorAll("details[data-ls-collapse-narrow][open]").forEach(function (details) {
      details.removeAttribute("open");
    });
  }

  // htmx sends the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
})();

/* Long posts (imports): <form data-ls-busy> shows its busy indicators (.htmx-indicator, as for
   htmx requests) and disables its buttons while the next page loads. */
(function () {
  "use strict";

  function setBusy(form, busy) {
    form.classList.toggle("htmx-request", busy);
    if (busy) { form.setAttribute("aria-busy", "true"); } else { form.removeAttribute("aria-busy"); }
    form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
      button.disabled = busy;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[data-ls-busy]")) { return; }
    // after this event, so that the form's data is gathered from enabled buttons
    window.setTimeout(function () { setBusy(form, true); }, 0);
  });

  // Coming back with the browser's Back button shows the form ready again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form[data-ls-busy]").forEach(function (form) { setBusy(form, false); });
  });
})();
