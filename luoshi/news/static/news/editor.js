/* The block editor of a news item: renders the blocks held (as JSON) in the form's
   #id_blocks field, lets the writer add, move and delete paragraphs, photo blocks (one photo
   or a collage) and quotes, and writes the JSON back before the form is sent.
   Pasted text becomes paragraphs; every image reference in it (a path such as C:\… or
   \\server\…, file:, a bare image file name, a placeholder such as 【图1】, an <img>) becomes a
   "missing_photo" block to resolve, never text. The server's gate checks the same again. */
(function () {
  "use strict";
  var IMAGE_EXT = "(?:jpe?g|png|gif|bmp|tiff?|webp|heic|heif)";
  var PATTERNS = [
    /\\\\[^\s\\"'<>|]+\\[^\s"'<>|，。；、]*/g,
    /file:[^\s"'<>，。；、]*/gi,
    /(^|[^A-Za-z])([A-Za-z]:[\\/][^\s"'<>|，。；、]*)/g,
    /(?:…|\.\.\.)[\\/][^\s"'<>|，。；、]*/g,
    /<img\b[^>]*>|!\[[^\]]*\]\([^)]*\)/gi,
    /(?:https?:\/\/|www\.)[A-Za-z0-9\-._~:\/?#@!$&*+,;=%]+\.(?:jpe?g|png|gif|bmp|webp)\b/gi,
    /[【\[〔［〖]\s*[^】\]〕］〗\n]{0,12}?(?:图|圖|照片|图片|圖片|配图|插图)[^】\]〕］〗\n]{0,12}[】\]〕］〗]|[（(]\s*(?:图|圖|图片|照片)\s*[0-9０-９一二三四五六七八九十]+\s*[）)]/g,
    new RegExp("[^\\s\\\\/:*?\"<>|，。；：、（）()【】\\[\\]“”‘’]+\\." + IMAGE_EXT + "(?![A-Za-z0-9_.])", "gi")
  ];

  function imageRefs(line) {
    var refs = [];
    var rest = line;
    PATTERNS.forEach(function (re) {
      rest = rest.replace(re, function (match, lead, path) {
        if (path !== undefined && typeof path === "string" && typeof lead === "string") {
          refs.push(path);
          return lead + " ";
        }
        refs.push(match);
        return " ";
      });
    });
    return { refs: refs, rest: rest.replace(/[ \t\u3000]{2,}/g, " ").trim() };
  }

  function pasteBlocks(text) {
    var out = [];
    text.replace(/\r\n?/g, "\n").split("\n").forEach(function (line) {
      var found = imageRefs(line);
      if (found.rest) out.push({ type: "paragraph", text: found.rest });
      found.refs.forEach(function (ref) { out.push({ type: "missing_photo", reference: ref }); });
    });
    return out;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("block-editor");
    var field = document.getElementById("id_blocks");
    var form = document.getElementById("news-edit");
    if (!root || !field || !form) return;
    var L = root.dataset;
    var photos = JSON.parse(document.getElementById("news-photos").textContent || "[]");
    var blocks;
    try { blocks = JSON.parse(field.value || "[]"); } catch (e) { return; }  // keep the raw field
    field.closest(".news-json").classList.add("news-json-hidden");
    document.getElementById("block-buttons").hidden = false;
    document.getElementById("paste-area").hidden = false;

    function sync() { field.value = JSON.stringify(blocks); }

    function input(kind, value, label, onChange, cls) {
      var node = kind === "textarea" ? el("textarea", { class: "form-control " + (cls || ""), rows: "3" }) : el("input", { class: "form-control form-control-sm " + (cls || ""), type: "text" });
      node.value = value || "";
      node.setAttribute("aria-label", label);
      node.setAttribute("placeholder", label);
      node.addEventListener("input", function () { onChange(node.value); sync(); });
      return node;
    }

    function photoSelect(slot) {
      var select = el("select", { class: "form-select form-select-sm news-photo-choice", "aria-label": L.lPhoto });
      select.appendChild(el("option", { value: "" }, "—"));
      photos.forEach(function (p) {
        var option = el("option", { value: String(p.id) }, "#" + p.id + " " + p.name);
        if (slot.photo === p.id) option.selected = true;
        select.appendChild(option);
      });
      select.addEventListener("change", function () { slot.photo = select.value ? parseInt(select.value, 10) : 0; sync(); });
      return select;
    }

    function render() {
      root.textContent = "";
      blocks.forEach(function (block, i) {
        var box = el("div", { class: "news-block news-block-" + (block.type === "missing_photo" ? "missing" : block.type), "data-index": String(i) });
        var head = el("div", { class: "news-block-head" });
        var names = { paragraph: L.lParagraph, quote: L.lQuote, photos: L.lPhotos, missing_photo: "⚠" };
        head.appendChild(el("span", { class: "news-kind" }, (i + 1) + ". " + names[block.type]));
        [["up", L.lUp, -1], ["down", L.lDown, 1]].forEach(function (b) {
          var btn = el("button", { type: "button", class: "btn btn-sm btn-outline-secondary" }, b[1]);
          btn.addEventListener("click", function () {
            var j = i + b[2];
            if (j < 0 || j >= blocks.length) return;
            var t = blocks[i]; blocks[i] = blocks[j]; blocks[j] = t; sync(); render();
          });
          head.appendChild(btn);
        });
        var del = el("button", { type: "button", class: "btn btn-sm btn-outline-danger news-delete" }, L.lDelete);
        del.addEventListener("click", function () { blocks.splice(i, 1); sync(); render(); });
        head.appendChild(del);
        box.appendChild(head);
        if (block.type === "paragraph") {
          var ta = input("textarea", block.text, L.lParagraph + " · " + L.lEmphasis, function (v) { block.text = v; }, "news-paragraph");
          ta.addEventListener("paste", function (event) {
            var text = (event.clipboardData || window.clipboardData).getData("text");
            var pasted = pasteBlocks(text);
            if (pasted.length === 1 && pasted[0].type === "paragraph" && text.indexOf("\n") < 0) return;
            event.preventDefault();
            blocks.splice.apply(blocks, [i + 1, 0].concat(pasted));
            if (!block.text) blocks.splice(i, 1);
            sync(); render();
          });
          box.appendChild(ta);
        } else if (block.type === "quote") {
          box.appendChild(input("textarea", block.text, L.lQuote, function (v) { block.text = v; }));
          box.appendChild(input("input", block.source, L.lSource, function (v) { block.source = v; }));
        } else if (block.type === "missing_photo") {
          box.appendChild(el("p", { class: "small text-danger mb-1" }, L.lMissing));
          box.appendChild(el("code", { class: "news-reference" }, block.reference));
        } else if (block.type === "photos") {
          block.photos.forEach(function (slot, k) {
            var row = el("div", { class: "news-slot" });
            row.appendChild(photoSelect(slot));
            row.appendChild(input("input", slot.caption, L.lCaption, function (v) { slot.caption = v; }, "news-caption"));
            row.appendChild(input("input", slot.alt, L.lAlt, function (v) { slot.alt = v; }, "news-alt"));
            var label = el("label", { class: "form-check small" });
            var check = el("input", { type: "checkbox", class: "form-check-input news-decorative" });
            check.checked = !!slot.decorative;
            check.addEventListener("change", function () { slot.decorative = check.checked; sync(); });
            label.appendChild(check);
            label.appendChild(document.createTextNode(" " + L.lDecorative));
            row.appendChild(label);
            var drop = el("button", { type: "button", class: "btn btn-sm btn-outline-danger" }, "× " + L.lPhoto);
            drop.addEventListener("click", function () { block.photos.splice(k, 1); if (!block.photos.length) blocks.splice(i, 1); sync(); render(); });
            row.appendChild(drop);
            box.appendChild(row);
          });
          var more = el("button", { type: "button", class: "btn btn-sm btn-outline-primary mt-1 news-add-photo" }, "+ " + L.lAddphoto);
          more.addEventListener("click", function () { block.photos.push({ photo: 0, caption: "", alt: "", decorative: false }); sync(); render(); });
          box.appendChild(more);
          if (block.photos.length > 1) box.appendChild(input("input", block.caption, L.lCollage, function (v) { block.caption = v; }, "news-collage-caption"));
        }
        root.appendChild(box);
      });
    }

    document.querySelectorAll("[data-add]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var kind = btn.getAttribute("data-add");
        if (kind === "paragraph") blocks.push({ type: "paragraph", text: "" });
        if (kind === "quote") blocks.push({ type: "quote", text: "", source: "" });
        if (kind === "photos") blocks.push({ type: "photos", caption: "", photos: [{ photo: 0, caption: "", alt: "", decorative: false }] });
        sync(); render();
      });
    });
    document.getElementById("paste-add").addEventListener("click", function () {
      var box = document.getElementById("paste-box");
      blocks = blocks.concat(pasteBlocks(box.value));
      box.value = "";
      sync(); render();
    });
    form.addEventListener("submit", function () {
      blocks.forEach(function (b) { if (b.type === "photos") b.photos = b.photos.filter(function (s) { return s.photo; }); });
      blocks = blocks.filter(function (b) { return b.type !== "photos" || b.photos.length; });
      sync();
    });
    render();
  });
})();
