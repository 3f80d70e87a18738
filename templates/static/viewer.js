/* oerpack offline viewer: language switch and full-text search. Works from file://:
   the search data arrives as a <script> (window.OERPACK_SEARCH), never by fetch/XHR, and
   is loaded only after the page has shown (or when the reader starts a search), so a big
   package opens fast. Plain ES5 so old browsers run it; MiniSearch (vendored) does the
   indexing when the browser can run it, a small linear scan otherwise. */
(function () {
  "use strict";
  var KEY = "oerpack.lang";
  var MAX_RESULTS = 50;
  var doc = document.documentElement;
  var self = document.currentScript;
  var strings = {};
  var records = [];
  var byId = {};

  function available(lang) {
    return !!document.querySelector('.lang-switch[data-lang="' + lang + '"]');
  }
  var currentLang = (doc.className.match(/\bui-([a-z-]+)\b/) || [])[1] || "en";
  if (!available(currentLang)) { currentLang = doc.getAttribute("data-default-lang") || "en"; }

  function str(key) {
    var table = strings[currentLang] || strings.en || {};
    return table[key] || key;
  }

  function setLang(lang, remember) {
    currentLang = lang;
    doc.className = doc.className.replace(/\bui-[a-z-]+\b/g, "").replace(/^\s+|\s+$/g, "") + " ui-" + lang;
    doc.setAttribute("lang", lang);
    var buttons = document.querySelectorAll(".lang-switch");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", buttons[i].getAttribute("data-lang") === lang ? "true" : "false");
    }
    var q = document.getElementById("q");
    if (q && q.getAttribute("data-placeholder-" + lang)) {
      q.setAttribute("placeholder", q.getAttribute("data-placeholder-" + lang));
    }
    if (remember) {
      try { window.localStorage.setItem(KEY, lang); } catch (e) { /* storage may be off on file:// */ }
    }
    if (q && q.value) { search(q.value); }
  }

  /* ---- search ---- */
  function fold(s) { return String(s || "").toLowerCase().replace(/ё/g, "е"); }
  var WORD = /[0-9a-z\u00c0-\u024f\u0400-\u04ff]+/g;
  function words(s) { return fold(s).match(WORD) || []; }
  function titleText(rec) {
    var parts = [];
    for (var k in rec.title) { if (Object.prototype.hasOwnProperty.call(rec.title, k)) { parts.push(rec.title[k]); } }
    return parts.join(" ");
  }

  var engine = null;
  var ready = false;
  function buildEngine() {
    if (typeof window.MiniSearch !== "function") { return linearEngine(); }
    try {
      var ms = new window.MiniSearch({
        fields: ["title", "speakers", "description", "context", "text"],
        storeFields: [],
        extractField: function (rec, field) { return field === "title" ? titleText(rec) : rec[field]; },
        tokenize: function (text) { return String(text || "").match(/[0-9A-Za-z\u00c0-\u024f\u0400-\u04ff]+/g) || []; },
        processTerm: function (term) { return fold(term); },
        searchOptions: { prefix: true, combineWith: "AND", boost: { title: 4, speakers: 2, description: 1.5, context: 1.2 } }
      });
      return { ms: ms, start: function () { return ms.addAllAsync(records, { chunkSize: 20 }); },
               run: function (query) {
                 return ms.search(query).map(function (hit) { return { id: hit.id, terms: hit.terms }; });
               } };
    } catch (e) {
      return linearEngine();
    }
  }
  function linearEngine() {
    var prepared = records.map(function (rec) {
      return { id: rec.id, head: words(titleText(rec) + " " + rec.speakers + " " + rec.description + " " + rec.context), body: words(rec.text) };
    });
    function prefixIn(list, w) {
      for (var i = 0; i < list.length; i++) { if (list[i].lastIndexOf(w, 0) === 0) { return list[i]; } }
      return null;
    }
    return { start: function () { return null; }, run: function (query) {
      var qs = words(query);
      var hits = [];
      prepared.forEach(function (p) {
        var score = 0, terms = [];
        for (var i = 0; i < qs.length; i++) {
          var found = prefixIn(p.head, qs[i]) || prefixIn(p.body, qs[i]);
          if (!found) { return; }
          score += prefixIn(p.head, qs[i]) ? 3 : 1;
          terms.push(found);
        }
        hits.push({ id: p.id, terms: terms, score: score });
      });
      hits.sort(function (a, b) { return b.score - a.score || (a.id < b.id ? -1 : 1); });
      return hits;
    } };
  }
  var indexMs = null;
  var readyAt = null;
  var loading = false;
  function loadScript(src, then) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = then;
    tag.onerror = then;  /* a missing library still leaves the linear search */
    document.body.appendChild(tag);
  }
  function ensureEngine() {
    if (engine || loading) { return; }
    if (!window.OERPACK_SEARCH) {
      loading = true;
      loadScript(self.getAttribute("data-search-data"), function () {
        loadScript(self.getAttribute("data-search-lib"), function () { loading = false; ensureEngine(); });
      });
      return;
    }
    strings = window.OERPACK_STRINGS || {};
    records = window.OERPACK_SEARCH || [];
    for (var r = 0; r < records.length; r++) { byId[records[r].id] = records[r]; }
    var t0 = Date.now();
    engine = buildEngine();
    var started = engine.start();
    function done() {
      ready = true; indexMs = Date.now() - t0;
      readyAt = window.performance && performance.now ? performance.now() : null; if (pending !== null) { search(pending); } }
    if (started && typeof started.then === "function") { started.then(done); } else { done(); }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  /* A window of the document text around the first matched term, with matches marked.
     Built from text nodes only: nothing from the data is ever parsed as HTML. */
  function snippet(text, terms) {
    var folded = fold(text);
    var at = -1;
    for (var i = 0; i < terms.length && at < 0; i++) {
      var re = new RegExp("(^|[^0-9a-z\u00c0-\u024f\u0400-\u04ff])" + terms[i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      var m = re.exec(folded);
      if (m) { at = m.index + m[1].length; }
    }
    if (at < 0) { return null; }
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, at + 120);
    var box = el("p", "snippet");
    box.appendChild(el("span", "snippet-where", str("in_document_text") + ": "));
    if (start > 0) { box.appendChild(document.createTextNode("…")); }
    var part = text.substring(start, end);
    var foldedPart = folded.substring(start, end);
    var pos = 0;
    var marker = new RegExp("(" + terms.map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|") + ")", "g");
    var found;
    while ((found = marker.exec(foldedPart)) !== null && found[0].length) {
      box.appendChild(document.createTextNode(part.substring(pos, found.index)));
      box.appendChild(el("mark", "", part.substr(found.index, found[0].length)));
      pos = found.index + found[0].length;
    }
    box.appendChild(document.createTextNode(part.substring(pos) + (end < text.length ? "…" : "")));
    return box;
  }
  function resultItem(hit) {
    var rec = byId[hit.id];
    var li = el("li", "result");
    var a = el("a", "result-title", rec.title[currentLang] || rec.title[rec.lang] || titleText(rec));
    a.href = "#file-" + rec.id;
    li.appendChild(a);
    var badge = el("abbr", "lang-badge", rec.lang.toUpperCase());
    li.appendChild(document.createTextNode(" "));
    li.appendChild(badge);
    li.appendChild(el("span", "result-kind", " " + str("kind_" + rec.kind) + " "));
    var open = el("a", "result-open", rec.media === "video" ? str("kind_video") : str(rec.media === "document" ? "open_pdf" : "open_file"));
    open.href = rec.media === "video" ? "#file-" + rec.id : rec.href;
    if (rec.media !== "video") { open.target = "_blank"; open.rel = "noopener"; }
    li.appendChild(open);
    var snip = rec.text ? snippet(rec.text, hit.terms || []) : null;
    if (snip) { li.appendChild(snip); }
    return li;
  }
  var pending = null;
  function search(query) {
    var box = document.getElementById("results");
    var list = document.getElementById("result-list");
    var status = document.getElementById("search-status");
    var clear = document.getElementById("clear");
    if (!words(query).length) {
      box.hidden = true; clear.hidden = !query; pending = null; list.textContent = "";
      return;
    }
    clear.hidden = false;
    box.hidden = false;
    pending = query;
    ensureEngine();
    if (!ready) { status.hidden = false; return; }
    status.hidden = true;
    pending = null;
    var hits = engine.run(query);
    list.textContent = "";
    var shown = hits.slice(0, MAX_RESULTS);
    for (var i = 0; i < shown.length; i++) { list.appendChild(resultItem(shown[i])); }
    document.getElementById("result-count").textContent = hits.length ? "(" + hits.length + ")" : "";
    document.getElementById("no-results").hidden = hits.length > 0;
    var more = document.getElementById("more-results");
    more.hidden = hits.length <= MAX_RESULTS;
    more.textContent = str("results_more").replace("{n}", String(MAX_RESULTS));
  }

  /* ---- wiring ---- */
  var buttons = document.querySelectorAll(".lang-switch");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (ev) { setLang(ev.currentTarget.getAttribute("data-lang"), true); });
  }
  setLang(currentLang, false);
  var q = document.getElementById("q");
  var timer = null;
  q.addEventListener("input", function () {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { search(q.value); }, records.length > 300 ? 100 : 0);
  });
  q.addEventListener("focus", function () { ensureEngine(); });
  q.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { q.value = ""; search(""); }
  });
  document.getElementById("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search(q.value); });
  document.getElementById("clear").addEventListener("click", function () { q.value = ""; search(""); q.focus(); });
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (ev.key === "/" && !/^(INPUT|TEXTAREA|SELECT|BUTTON|VIDEO)$/.test(tag)) { ev.preventDefault(); q.focus(); }
  });
  /* Index in small chunks once the page has shown, so typing later finds it ready. */
  window.addEventListener("load", function () { window.setTimeout(function () { ensureEngine(); }, 200); });
  if (q.value) { search(q.value); }
  /* For tests and benchmarks: is the index built, how long it took, run a search now. */
  window.oerpackViewer = {
    ready: function () { return ready; },
    indexMs: function () { return indexMs; },
    readyAt: function () { return readyAt; },
    engine: function () { return engine && engine.ms ? "minisearch" : (engine ? "linear" : null); },
    search: function (query) { search(query); return document.getElementById("result-list").children.length; }
  };
})();
