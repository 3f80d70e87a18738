/* oerpack offline viewer: language switch and search. Plain ES5, works from file://. */
(function () {
  "use strict";
  var doc = document.documentElement;
  var KEY = "oerpack.lang";

  function setLang(lang) {
    doc.className = doc.className.replace(/\bui-[a-z-]+\b/g, "").trim() + " ui-" + lang;
    doc.setAttribute("lang", lang);
    var buttons = document.querySelectorAll(".lang-switch");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", buttons[i].getAttribute("data-lang") === lang ? "true" : "false");
    }
    var q = document.getElementById("q");
    if (q && q.getAttribute("data-placeholder-" + lang)) {
      q.setAttribute("placeholder", q.getAttribute("data-placeholder-" + lang));
    }
    try { window.localStorage.setItem(KEY, lang); } catch (e) { /* storage may be off on file:// */ }
    currentLang = lang;
    if (q && q.value) { runSearch(q.value); }
  }

  var currentLang = doc.getAttribute("data-default-lang") || "en";
  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
  var buttons = document.querySelectorAll(".lang-switch");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (ev) { setLang(ev.currentTarget.getAttribute("data-lang")); });
  }
  setLang(saved && /^[a-z]{2,3}$/.test(saved) && document.querySelector('.lang-switch[data-lang="' + saved + '"]') ? saved : currentLang);

  /* Search: case-insensitive, prefix matching of every query word, Cyrillic included. */
  function fold(s) {
    return String(s || "").toLowerCase().replace(/ё/g, "е");
  }
  function words(s) {
    return fold(s).split(/[^0-9a-z\u00c0-\u024f\u0400-\u04ff]+/).filter(function (w) { return w.length > 0; });
  }
  var records = (window.OERPACK_SEARCH || []).map(function (r) {
    var titles = [];
    for (var k in r.title) { if (Object.prototype.hasOwnProperty.call(r.title, k)) { titles.push(r.title[k]); } }
    var head = words(titles.join(" ") + " " + r.speakers + " " + r.description);
    var body = words(r.text);
    return { rec: r, head: head, body: body };
  });
  function hasPrefix(list, w) {
    for (var i = 0; i < list.length; i++) { if (list[i].lastIndexOf(w, 0) === 0) { return true; } }
    return false;
  }
  function snippet(text, w) {
    var f = fold(text);
    var at = f.indexOf(w);
    if (at < 0) { return ""; }
    var start = Math.max(0, at - 40);
    return (start > 0 ? "…" : "") + text.substr(start, 120) + "…";
  }
  function runSearch(query) {
    var qs = words(query);
    var box = document.getElementById("results");
    var list = document.getElementById("result-list");
    var none = document.getElementById("no-results");
    list.innerHTML = "";
    if (!qs.length) { box.hidden = true; return; }
    var hits = [];
    records.forEach(function (r) {
      var score = 0;
      for (var i = 0; i < qs.length; i++) {
        var inHead = hasPrefix(r.head, qs[i]);
        var inBody = hasPrefix(r.body, qs[i]);
        if (!inHead && !inBody) { return; }
        score += inHead ? 3 : 1;
      }
      hits.push({ r: r, score: score });
    });
    hits.sort(function (a, b) { return b.score - a.score || (a.r.rec.id < b.r.rec.id ? -1 : 1); });
    hits.slice(0, 50).forEach(function (h) {
      var rec = h.r.rec;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#file-" + rec.id;
      a.textContent = rec.title[currentLang] || rec.title[rec.lang] || rec.id;
      li.appendChild(a);
      var badge = document.createElement("span");
      badge.className = "lang-badge";
      badge.textContent = " " + rec.lang.toUpperCase();
      li.appendChild(badge);
      var open = document.createElement("a");
      open.href = rec.href;
      open.className = "result-file";
      open.textContent = " ↗";
      li.appendChild(open);
      var snip = snippet(rec.text, qs[0]);
      if (snip) {
        var p = document.createElement("div");
        p.className = "snippet";
        p.textContent = snip;
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    none.hidden = hits.length > 0;
    box.hidden = false;
  }
  var q = document.getElementById("q");
  var form = document.getElementById("search-form");
  if (q) { q.addEventListener("input", function () { runSearch(q.value); }); }
  if (form) { form.addEventListener("submit", function (ev) { ev.preventDefault(); runSearch(q.value); }); }
})();
