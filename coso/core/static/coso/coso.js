/* Coso: small progressive enhancements; every page works without them. */
(function () {
  // Tree: open / close a node; children load once through htmx.
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".node-toggle");
    if (!btn) return;
    var li = btn.closest("li");
    var box = li.querySelector(":scope > ul");
    var open = btn.getAttribute("aria-expanded") === "true";
    btn.setAttribute("aria-expanded", open ? "false" : "true");
    btn.textContent = open ? "+" : "−";
    if (box) box.hidden = open;
    if (!open && box && !box.dataset.loaded && window.htmx) {
      box.dataset.loaded = "1";
      htmx.ajax("GET", btn.dataset.url, { target: box, swap: "innerHTML" });
    }
  });
  // Organization pickers: suggestions in a shared datalist, fetched as the user types.
  var timer = null;
  document.addEventListener("input", function (ev) {
    var input = ev.target;
    if (!input.classList || !input.classList.contains("org-picker")) return;
    var list = document.getElementById("org-options");
    if (!list || !window.htmx) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (input.value.trim().length < 2) return;
      htmx.ajax("GET", list.dataset.url + "?q=" + encodeURIComponent(input.value), { target: list, swap: "innerHTML" });
    }, 250);
  });
  // Child mapping rows: show the code box only for "other".
  function syncChild(sel) {
    var box = document.getElementById(sel.id + "-code");
    if (box) box.hidden = sel.value !== "other";
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select.child-choice")) syncChild(ev.target);
    if (ev.target.matches && ev.target.matches("input[name=mode]")) syncMode();
  });
  function syncMode() {
    var checked = document.querySelector("input[name=mode]:checked");
    if (!checked) return;
    document.querySelectorAll(".mode-into").forEach(function (el) { el.hidden = checked.value !== "into"; });
    document.querySelectorAll(".mode-new").forEach(function (el) { el.hidden = checked.value !== "new"; });
  }
  // No inline scripts (the Content-Security-Policy forbids them): buttons and forms say what they do in data-*.
  document.addEventListener("click", function (ev) {
    if (ev.target.closest && ev.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) ev.preventDefault();
    if (form.dataset.goto !== undefined) {
      // "Mã tổ chức khác": go to that organization's page (the code typed, trimmed)
      ev.preventDefault();
      var code = form.elements.code.value.trim();
      if (code) window.location = form.dataset.goto + encodeURIComponent(code) + "/";
    }
  });
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-autosubmit]")) ev.target.form.submit();
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select.child-choice").forEach(syncChild);
    syncMode();
  });
})();
