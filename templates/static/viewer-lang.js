/* oerpack viewer: runs in <head> before the page paints. Marks the page as scripted (search,
   filters and language buttons show only then) and applies the saved or the browser's
   interface language, with the page title in it. The page reader uses it too. Plain ES5. */
(function () {
  "use strict";
  var doc = document.documentElement;
  var langs = (doc.getAttribute("data-langs") || "en ru").split(" ");
  var lang = null;
  try { lang = window.localStorage.getItem("oerpack.lang"); } catch (e) { lang = null; }
  if (!lang) {
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || "";
    lang = /^ru\b/i.test(nav) ? "ru" : null;
  }
  var cls = doc.className.replace(/\bno-js\b/, "js");
  if (lang && langs.indexOf(lang) >= 0) {
    cls = cls.replace(/\bui-[a-z-]+\b/g, "") + " ui-" + lang;
    doc.setAttribute("lang", lang);
    var title = doc.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
  }
  doc.className = cls.replace(/\s+/g, " ").replace(/^\s|\s$/g, "");
})();
