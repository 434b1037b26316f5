// The few lines of script Asamblea needs beside htmx: drop stale live pushes, show whether the
// live link is up, and count down item timers. Everything else is plain HTML over htmx.
(function () {
  "use strict";

  function shownVersion() {
    var marker = document.getElementById("room-version");
    return marker ? Number(marker.dataset.version) : -1;
  }

  // Every push starts with the meeting's version; one older than the screen is already outdated.
  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    var match = /data-version="(\d+)"/.exec(String(event.detail.message).slice(0, 300));
    if (match && Number(match[1]) < shownVersion()) {
      event.preventDefault();
    }
  });

  function setLive(online) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.textContent = online ? status.dataset.online : status.dataset.offline;
    status.classList.toggle("is-offline", !online);
  }
  document.addEventListener("htmx:wsOpen", function () { setLive(true); });
  document.addEventListener("htmx:wsClose", function () { setLive(false); });

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var timers = document.querySelectorAll("[data-deadline]");
    var now = Date.now();
    for (var i = 0; i < timers.length; i++) {
      var timer = timers[i];
      var left = Math.round((Date.parse(timer.dataset.deadline) - now) / 1000);
      var over = left < 0;
      var s = Math.abs(left);
      var text = Math.floor(s / 60) + ":" + pad(s % 60);
      var value = timer.querySelector(".timer-value");
      if (value) value.textContent = over ? "+" + text + " " + timer.dataset.over : text;
      timer.classList.toggle("is-over", over);
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:wsAfterMessage", tick);
  document.addEventListener("htmx:afterSettle", tick);
})();
