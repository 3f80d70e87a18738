/* oerpack viewer: subtitles that work from file://. Chromium refuses a <track src> there
   ('file:' URLs are unique security origins) but runs a <script src>, so each <track> names
   a script of its cues (data-cues). When the reader first reaches for a video (hover, touch,
   focus or play) its cue scripts are loaded and each <track> is replaced by a TextTrack built
   from them; the <track> itself stays disabled, so it is never requested. Over http the same
   swap is harmless. Plain ES5. */
(function () {
  "use strict";
  var store = window.OERPACK_CUES = window.OERPACK_CUES || {};
  var EVENTS = ["mouseover", "touchstart", "focusin", "play"];

  function swap(track) {
    var cues = store[track.getAttribute("src")];
    var video = track.parentNode;
    if (!cues || !video || typeof window.VTTCue !== "function" || !video.addTextTrack) { return; }
    var wasShowing = track.track && track.track.mode === "showing";
    var label = track.getAttribute("label");
    var lang = track.getAttribute("srclang");
    video.removeChild(track);
    var text = video.addTextTrack("subtitles", label, lang);
    for (var i = 0; i < cues.length; i++) {
      text.addCue(new window.VTTCue(cues[i][0], cues[i][1], cues[i][2]));
    }
    text.mode = wasShowing ? "showing" : "hidden";
  }

  function load(track) {
    var script = document.createElement("script");
    script.onload = function () { swap(track); };
    script.src = track.getAttribute("data-cues");
    document.body.appendChild(script);
  }

  function arm(video) {
    var done = false;
    function start() {
      if (done) { return; }
      done = true;
      for (var e = 0; e < EVENTS.length; e++) { video.removeEventListener(EVENTS[e], start, true); }
      var tracks = video.querySelectorAll("track[data-cues]");
      for (var i = 0; i < tracks.length; i++) { load(tracks[i]); }
    }
    for (var e = 0; e < EVENTS.length; e++) { video.addEventListener(EVENTS[e], start, true); }
  }

  var videos = document.querySelectorAll("video");
  for (var v = 0; v < videos.length; v++) {
    if (videos[v].querySelector("track[data-cues]")) { arm(videos[v]); }
  }
})();
