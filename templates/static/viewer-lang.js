/* oerpack viewer: apply the saved interface language before the page paints (runs in <head>). */
(function () {
  "use strict";
  var doc = document.documentElement;
  var lang = null;
  try { lang = window.localStorage.getItem("oerpack.lang"); } catch (e) { lang = null; }
  if (!lang || !/^[a-z]{2,3}$/.test(lang)) {
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || "";
    lang = /^ru\b/i.test(nav) ? "ru" : null;
  }
  if (lang && lang !== doc.getAttribute("data-default-lang")) {
    doc.className = doc.className.replace(/\bui-[a-z-]+\b/g, "") + " ui-" + lang;
    doc.setAttribute("lang", lang);
  }
})();
