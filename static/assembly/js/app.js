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
  // "You are number 3 in the queue": the queue is the same HTML for everyone, so each phone
  // finds its own place in it rather than the server rendering it once per person.
  function markMyPlace() {
    var me = document.getElementById("me");
    var place = document.getElementById("my-place");
    var id = me && me.dataset.me;
    var items = document.querySelectorAll("#stack .queue li[data-attendee]");
    var mine = 0;
    for (var i = 0; i < items.length; i++) {
      var isMe = Boolean(id) && items[i].dataset.attendee === id;
      items[i].classList.toggle("is-me", isMe);
      if (isMe && !mine) mine = i + 1;
    }
    if (place) {
      var text = mine ? place.dataset.template.replace("{n}", String(mine)) : "";
      if (place.textContent !== text) place.textContent = text;
    }
  }

  // The agenda's drift holds while the open item is within its timebox and grows with every
  // second past it; the server says where it stood and when, the page keeps counting.
  function tickDrift() {
    var drift = document.getElementById("agenda-drift");
    if (!drift) return;
    var from = Math.max(Date.parse(drift.dataset.at), Date.parse(drift.dataset.growsAfter || "") || 0);
    var seconds = Number(drift.dataset.drift) + Math.max(0, (Date.now() - from) / 1000);
    var minutes = Math.round(Math.abs(seconds) / 60);
    var text = seconds >= 60 ? drift.dataset.behind : seconds <= -60 ? drift.dataset.ahead : drift.dataset.onTime;
    text = text.replace("{n}", String(minutes));
    if (drift.textContent !== text) drift.textContent = text;
    drift.classList.toggle("is-behind", seconds >= 60);
    drift.classList.toggle("is-ahead", seconds <= -60);
  }

  // The ballot is the same HTML for everyone; only this phone's own part (#me) says which round
  // it has voted in. Then "your vote is recorded" shows, and a secret ballot's form goes away
  // (an open ballot's stays, to change one's mind until the close).
  function markVoted() {
    var me = document.getElementById("me");
    var voted = me && me.dataset.voted;
    var forms = document.querySelectorAll("#decision .ballot[data-decision]");
    for (var i = 0; i < forms.length; i++) {
      var done = Boolean(voted) && forms[i].dataset.decision === voted;
      forms[i].hidden = done && forms[i].hasAttribute("data-secret");
      var note = forms[i].parentNode.querySelector(".voted-note");
      if (note) note.hidden = !done;
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-dismiss-review]")) {
      var review = document.getElementById("ballot-review");
      if (review) {
        var empty = document.createElement("div");
        empty.id = "ballot-review";
        review.replaceWith(empty);
      }
    }
  });

  // (markVoted runs on every settle through refresh(), below.)
  document.addEventListener("htmx:afterSettle", function (event) {
    var review = document.getElementById("ballot-review");
    if (review && review.contains(event.target) && review.children.length) review.focus();
  });

  // Minutes: "print, or save as PDF"; and notes that could not be saved (the laptop slept, the
  // Wi-Fi dropped) say so, and are sent again when the connection is back.
  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-print]")) window.print();
  });
  function notesStatus(form) {
    return form.querySelector(".notes-status");
  }
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.target instanceof Element && event.target.closest(".notes-form");
    if (!form) return;
    form.dataset.unsaved = "1";
    var status = notesStatus(form);
    if (status) {
      status.textContent = status.dataset.unsavedText;
      status.classList.add("is-unsaved");
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof Element && event.target.closest(".notes-form");
    if (form && event.detail.successful) delete form.dataset.unsaved;
  });
  window.addEventListener("online", function () {
    var forms = document.querySelectorAll(".notes-form[data-unsaved]");
    for (var i = 0; i < forms.length; i++) htmx.trigger(forms[i], "submit");
  });

  // A tap the server could not take, or that never reached it, says so: never a silent loss.
  function sayNotDone(key) {
    var flash = document.getElementById("flash");
    if (!flash || !flash.dataset[key]) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = flash.dataset[key];
    flash.replaceChildren(p);
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status >= 500) sayNotDone("serverError");
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (!(event.target instanceof Element && event.target.closest(".notes-form"))) sayNotDone("offline");
  });

  function refresh() { tick(); tickDrift(); markMyPlace(); markVoted(); }
  setInterval(function () { tick(); tickDrift(); }, 1000);
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:wsAfterMessage", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
})();
