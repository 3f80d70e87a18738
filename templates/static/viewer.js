/* oerpack offline viewer: language switch, filters, one player per recording and search.
   Loaded right after the page's header (before the cards), so the search box works while a
   big page is still being parsed; everything below the header is reached by delegation.
   Works from file://: the search index arrives ready as a <script async> (window.OERPACK_SEARCH,
   built at build time; nothing is indexed here), never by fetch/XHR. Queries are folded
   (lower case, ё = е) and stemmed with Snowball (snowball.js, the release that stemmed the
   index); stems are combined with prefix matches. One result per item, the UI language first.
   Plain ES5 apart from snowball.js, which is optional: without it, prefix matching remains. */
(function () {
  "use strict";
  var KEY = "oerpack.lang";
  var MAX_RESULTS = 50;
  var STOP = { "и": 1, "в": 1, "во": 1, "на": 1, "с": 1, "со": 1, "к": 1, "по": 1, "о": 1, "об": 1, "от": 1, "до": 1, "за": 1, "из": 1, "у": 1, "а": 1, "но": 1, "the": 1, "of": 1, "and": 1, "in": 1, "on": 1, "to": 1, "for": 1, "a": 1, "an": 1 };
  var doc = document.documentElement;
  var strings = {};
  var data = null;
  var items = [];

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
    var title = doc.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
    var buttons = document.querySelectorAll(".lang-switch");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", buttons[i].getAttribute("data-lang") === lang ? "true" : "false");
    }
    var q = document.getElementById("q");
    if (q && q.getAttribute("data-placeholder-" + lang)) {
      q.setAttribute("placeholder", q.getAttribute("data-placeholder-" + lang));
    }
    var group = document.querySelector(".kinds");
    if (group && group.getAttribute("data-label-" + lang)) {
      group.setAttribute("aria-label", group.getAttribute("data-label-" + lang));
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
  function stem(word) {
    var sb = window.OerpackSnowball;
    if (!sb || word.length < 3) { return word; }
    try {
      if (/[\u0400-\u04ff]/.test(word)) { return sb.ru.stemWord(word); }
      if (/[a-z\u00c0-\u024f]/.test(word)) { return sb.en.stemWord(word); }
    } catch (e) { /* an old browser: prefix matching still works */ }
    return word;
  }
  function lowerBound(terms, key) {
    var lo = 0, hi = terms.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (terms[mid] < key) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }
  /* Score per item for one query word: best posting weight times how the term matched. */
  function matchWord(word) {
    var terms = data.terms, postings = data.postings;
    var scores = {}, found = {};
    function take(t, factor) {
      var list = postings[t];
      for (var p = 0; p < list.length; p += 2) {
        var score = list[p + 1] * factor;
        if (!(scores[list[p]] >= score)) { scores[list[p]] = score; found[list[p]] = terms[t]; }
      }
    }
    function prefix(key, exactFactor, factor) {
      for (var t = lowerBound(terms, key); t < terms.length && terms[t].lastIndexOf(key, 0) === 0; t++) {
        take(t, terms[t] === key ? exactFactor : factor);
      }
    }
    var numeric = /^[0-9]+$/.test(word);
    if (numeric && word.length < 3) {
      var at = lowerBound(terms, word);
      if (terms[at] === word) { take(at, 1); }
    } else {
      prefix(word, 1, 0.75);
    }
    var root = stem(word);
    if (root !== word) {
      if (root.length >= 5) { prefix(root, 0.9, 0.6); } else {
        var r = lowerBound(terms, root);
        if (terms[r] === root) { take(r, 0.9); }
      }
    }
    return { scores: scores, found: found };
  }
  function run(query) {
    var qs = words(query);
    var kept = qs.filter(function (w) { return !STOP[w]; });
    if (kept.length) { qs = kept; }
    var total = null, terms = {};
    for (var i = 0; i < qs.length; i++) {
      var m = matchWord(qs[i]);
      var next = {};
      for (var id in m.scores) {
        if (!Object.prototype.hasOwnProperty.call(m.scores, id)) { continue; }
        if (total === null || total[id] !== undefined) {
          next[id] = (total === null ? 0 : total[id]) + m.scores[id];
          (terms[id] = terms[id] || []).push(m.found[id]);
        }
      }
      total = next;
    }
    /* Words named together as the index saw them together ("вебинар 2") count twice more. */
    for (var j = 0; total && j + 1 < qs.length; j++) {
      var pair = stem(qs[j]) + " " + stem(qs[j + 1]);
      var at = lowerBound(data.terms, pair);
      if (data.terms[at] !== pair) { continue; }
      var list = data.postings[at];
      for (var p = 0; p < list.length; p += 2) {
        if (total[list[p]] !== undefined) { total[list[p]] += 2 * list[p + 1]; }
      }
    }
    var hits = [];
    for (var n in total) {
      if (!Object.prototype.hasOwnProperty.call(total, n)) { continue; }
      var item = items[n];
      var inLang = item.files.some(function (f) { return f.lang === currentLang; });
      hits.push({ n: +n, score: total[n] * (inLang ? 1.15 : 1), terms: terms[n] });
    }
    hits.sort(function (a, b) { return b.score - a.score || a.n - b.n; });
    return hits;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function escapeRe(t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function firstMatch(text, terms) {
    var folded = fold(text);
    for (var i = 0; i < terms.length; i++) {
      var m = new RegExp("(^|[^0-9a-z\u00c0-\u024f\u0400-\u04ff])" + escapeRe(terms[i])).exec(folded);
      if (m) { return m.index + m[1].length; }
    }
    return -1;
  }
  /* A window of the document text around the first matched term, with matches marked.
     Built from text nodes only: nothing from the data is ever parsed as HTML. */
  function snippet(text, terms, at) {
    var folded = fold(text);
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, at + 120);
    var box = el("p", "snippet");
    box.appendChild(el("span", "snippet-where", str("in_document_text") + ": "));
    if (start > 0) { box.appendChild(document.createTextNode("…")); }
    var part = text.substring(start, end);
    var foldedPart = folded.substring(start, end);
    var pos = 0;
    var marker = new RegExp("(^|[^0-9a-z\u00c0-\u024f\u0400-\u04ff])(" + terms.map(escapeRe).join("|") + ")[0-9a-z\u00c0-\u024f\u0400-\u04ff]*", "g");
    var found;
    while ((found = marker.exec(foldedPart)) !== null && found[0].length) {
      var from = found.index + found[1].length;
      box.appendChild(document.createTextNode(part.substring(pos, from)));
      box.appendChild(el("mark", "", part.substring(from, found.index + found[0].length)));
      pos = found.index + found[0].length;
    }
    box.appendChild(document.createTextNode(part.substring(pos) + (end < text.length ? "…" : "")));
    return box;
  }
  function titleOf(item) {
    var t = item.title;
    if (t[currentLang]) { return t[currentLang]; }
    for (var k in t) { if (Object.prototype.hasOwnProperty.call(t, k)) { return t[k]; } }
    return item.id;
  }
  function resultItem(hit) {
    var item = items[hit.n];
    var files = item.files.slice().sort(function (a, b) { return (b.lang === currentLang) - (a.lang === currentLang); });
    /* The file to go to: the one whose text holds the words, else the UI-language one. */
    var best = files[0], at = -1;
    var texts = window.OERPACK_TEXT || {};  /* arrives just after the index */
    for (var i = 0; i < files.length && at < 0; i++) {
      var body = texts[files[i].key];
      if (body) { at = firstMatch(body, hit.terms); if (at >= 0) { best = files[i]; } }
    }
    var li = el("li", "result");
    var a = el("a", "result-title", titleOf(item));
    a.href = best ? "#file-" + best.key : "#item-" + item.id;
    li.appendChild(a);
    if (best) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("abbr", "lang-badge", str("lang_short_" + best.lang) !== "lang_short_" + best.lang ? str("lang_short_" + best.lang) : best.lang.toUpperCase()));
    }
    var where = item.where[currentLang] || item.where.en || "";
    li.appendChild(el("span", "result-kind", " " + str("kind_" + item.kind) + (where ? " · " + where : "")));
    var list = el("p", "result-files");
    for (var f = 0; f < files.length; f++) {
      var file = files[f];
      var link = el("a", "", (file.media === "video" ? str("watch") : str(file.media === "document" ? "open_pdf" : "open_file")) + " (" + str("lang_" + file.lang) + ")");
      var hidden = el("span", "vh", ": " + titleOf(item));
      link.appendChild(hidden);
      if (file.media === "video") { link.href = "#item-" + item.id; link.setAttribute("data-play", file.key); } else { link.href = file.href; link.target = "_blank"; link.rel = "noopener"; }
      list.appendChild(link);
    }
    li.appendChild(list);
    if (at >= 0) { li.appendChild(snippet(texts[best.key], hit.terms, at)); }
    return li;
  }
  var pending = null;
  var readyAt = null;
  function search(query) {
    var box = document.getElementById("results");
    var list = document.getElementById("result-list");
    var status = document.getElementById("search-status");
    var clear = document.getElementById("clear");
    var count = document.getElementById("result-count");
    if (!words(query).length) {
      box.hidden = true; clear.hidden = !query; pending = null; list.textContent = ""; count.textContent = "";
      return;
    }
    clear.hidden = false;
    box.hidden = false;
    if (!data) { pending = query; status.hidden = false; return; }
    status.hidden = true;
    pending = null;
    var hits = run(query);
    list.textContent = "";
    var shown = hits.slice(0, MAX_RESULTS);
    for (var i = 0; i < shown.length; i++) { list.appendChild(resultItem(shown[i])); }
    count.textContent = str("results_count_only").replace("{n}", String(hits.length));
    document.getElementById("no-results").hidden = hits.length > 0;
    var more = document.getElementById("more-results");
    more.hidden = hits.length <= MAX_RESULTS;
    more.textContent = str("results_more").replace("{n}", String(MAX_RESULTS));
  }
  function init() {
    if (data || !window.OERPACK_SEARCH) { return; }
    data = window.OERPACK_SEARCH;
    items = data.items;
    strings = window.OERPACK_STRINGS || {};
    readyAt = window.performance && performance.now ? performance.now() : null;
    if (pending !== null) { search(pending); }
  }

  /* ---- players: one per recording, in the UI language, switchable in place ---- */
  function choose(card, key) {
    var players = card.querySelectorAll(".player");
    var switches = card.querySelectorAll(".switch");
    var playing = false;
    for (var i = 0; i < players.length; i++) {
      var video = players[i].querySelector("video");
      if (video && !video.paused && players[i].getAttribute("data-key") !== key) { playing = true; video.pause(); }
      players[i].className = players[i].className.replace(/\s*\bchosen\b/g, "") + (players[i].getAttribute("data-key") === key ? " chosen" : "");
    }
    for (var s = 0; s < switches.length; s++) {
      switches[s].className = switches[s].className.replace(/\s*\bchosen\b/g, "") + (switches[s].getAttribute("data-to") === key ? " chosen" : "");
    }
    if (!hasClass(card, "chose")) { card.className += " chose"; }
    var target = card.querySelector('.player[data-key="' + key + '"] video');
    if (target && playing) { target.play(); }
    return target;
  }
  function hasClass(node, name) {
    var cls = node && node.getAttribute ? node.getAttribute("class") : null;
    return !!cls && (" " + cls + " ").indexOf(" " + name + " ") >= 0;
  }
  document.addEventListener("click", function (ev) {
    var node = ev.target;
    while (node && node.getAttribute && !hasClass(node, "switch") && !hasClass(node, "chip") && !node.getAttribute("data-play")) { node = node.parentNode; }
    if (!node || !node.getAttribute) { return; }
    if (hasClass(node, "switch")) {
      var card = node.parentNode;
      while (card && !hasClass(card, "card")) { card = card.parentNode; }
      if (!card) { return; }
      var video = choose(card, node.getAttribute("data-to"));
      if (video) { video.focus(); }
    } else if (hasClass(node, "chip")) {
      var chips = document.querySelectorAll(".chip");
      for (var c = 0; c < chips.length; c++) { chips[c].setAttribute("aria-pressed", chips[c] === node ? "true" : "false"); }
      doc.setAttribute("data-filter", node.getAttribute("data-filter"));
    } else {
      var key = node.getAttribute("data-play");
      var holder = document.querySelector('.player[data-key="' + key + '"]');
      var owner = holder;
      while (owner && !hasClass(owner, "card")) { owner = owner.parentNode; }
      if (owner) { choose(owner, key); }
    }
  });
  /* Starting one recording pauses any other. */
  document.addEventListener("play", function (ev) {
    var videos = document.querySelectorAll("video");
    for (var i = 0; i < videos.length; i++) { if (videos[i] !== ev.target && !videos[i].paused) { videos[i].pause(); } }
  }, true);

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
    timer = window.setTimeout(function () { search(q.value); }, items.length > 300 ? 80 : 0);
  });
  q.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { q.value = ""; search(""); }
  });
  document.getElementById("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); search(q.value); });
  document.getElementById("clear").addEventListener("click", function () { q.value = ""; search(""); q.focus(); });
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (ev.key === "/" && !/^(INPUT|TEXTAREA|SELECT|BUTTON|VIDEO)$/.test(tag)) { ev.preventDefault(); q.focus(); }
  });
  var tag = document.getElementById("search-data");
  if (window.OERPACK_SEARCH) { init(); } else if (tag) { tag.addEventListener("load", init); }
  window.addEventListener("load", function () {
    init();
    var q2 = document.getElementById("q");
    if (q2 && q2.value && data) { search(q2.value); }  /* snippets, now that the text is here */
  });
  /* A query in the address (index.html?q=запись): a bookmark, or a browser driven by a test. */
  var given = /[?&]q=([^&#]*)/.exec(window.location.search);
  if (given) { try { q.value = decodeURIComponent(given[1].replace(/\+/g, " ")); } catch (e) { q.value = ""; } }
  if (q.value) { search(q.value); }
  /* For tests and benchmarks: is the index there, when it arrived, run a search now. */
  window.oerpackViewer = {
    ready: function () { return !!data; },
    indexMs: function () { return 0; },
    readyAt: function () { return readyAt; },
    engine: function () { return data ? "index" : null; },
    stemmer: function () { return !!window.OerpackSnowball; },
    stem: stem,
    search: function (query) { search(query); return document.getElementById("result-list").children.length; }
  };
})();
