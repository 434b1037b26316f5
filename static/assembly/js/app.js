// The few lines of script Asamblea needs beside htmx: drop stale live pushes, show whether the
// live link is up, and count down item timers. Everything else is plain HTML over htmx.
(function () {
  "use strict";

  function shownVersion() {
    var marker = document.getElementById("room-version");
    return marker ? Number(marker.dataset.version) : -1;
  }

  // Every push of the room starts with the meeting's version; one older than the screen is
  // already outdated. But it may have carried a part the newer one did not (two workers can
  // deliver out of order): then the phone asks at once, on its socket, for the whole room as it
  // is now ({"type": "sync"} with the dropped version; this person's part only if it changed:
  // personal pushes carry no version and are never dropped). A socket that is not open asks as
  // it reopens (room=1). One question at a time: the answer covers every push dropped meanwhile.
  // A ballot whose answer was lost (answerLost, below) asks for the part too: no version.
  // A push's marker names the parts it paints (those nested in them too). What each part of the
  // screen is as of is kept: the version of the push that last painted it, else that of the
  // page or of the last whole room. Only a dropped push with a part no newer push has painted
  // since is asked for again: in a ballot burst, a late turnout line is simply dropped.
  var missed = false;
  var answerLost = false;
  var wholeAsked = false;
  var syncAsked = false;
  var paintedAt = {};
  var wholeAt = shownVersion();
  function painted(id) { return id in paintedAt ? paintedAt[id] : wholeAt; }
  function paint(version, parts) {
    if (parts === null) { paintedAt = {}; wholeAt = version; return; }
    parts.forEach(function (id) { paintedAt[id] = version; });
  }
  var PUSHED = /id="room-version" data-version="(\d+)"(?: data-parts="([^"]*)")?/;
  document.addEventListener("htmx:wsBeforeMessage", function (event) {
    if (wholeAsked) { wholeAsked = false; missed = false; answerLost = false; }
    var match = PUSHED.exec(String(event.detail.message).slice(0, 400));
    if (!match) return; // a person's own part: never outdated
    var version = Number(match[1]);
    var parts = match[2] === undefined ? null : match[2].split(" "); // null: all (version alone)
    if (version < shownVersion()) {
      event.preventDefault();
      var lacking = parts === null || parts.some(function (id) { return painted(id) < version; });
      if (lacking && !syncAsked && !askRoom(version)) missed = true;
      return;
    }
    syncAsked = false;
    paint(version, parts);
  });
  function askRoom(dropped) {
    var wrapper = socketWrapper();
    var socket = wrapper && wrapper.socket;
    if (!socket || socket.readyState !== 1) return false;
    socket.send(JSON.stringify({ type: "sync", version: dropped }));
    syncAsked = true;
    return true;
  }

  // A control's reply carries some parts of the room as they stood when it was rendered, with
  // their version (#reply-version, never swapped in). A push rendered after it may have come
  // first (a busy server, a slow answer): then the screen already shows those parts newer, and
  // keeps them. The person's own parts and the message area are always taken.
  // The form just sent, if it is in such a part, is renewed all the same (emptied, its
  // <details> closed), as the reply would have: "sent" must not leave the text there to send
  // twice.
  var staleParts = null;
  var sentFrom = null; // the element whose request this reply answers
  var sentOk = false;
  document.addEventListener("htmx:beforeSwap", function (event) {
    staleParts = null;
    sentFrom = event.target;
    var xhr = event.detail.xhr;
    sentOk = Boolean(xhr) && xhr.status >= 200 && xhr.status < 300;
    var text = String((xhr && xhr.responseText) || "");
    var match = /id="reply-version" data-version="(\d+)" data-parts="([^"]*)"/.exec(text);
    if (!match) return;
    if (Number(match[1]) < shownVersion()) staleParts = match[2].split(" ");
    else paint(Number(match[1]), match[2].split(" "));
  });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    if (!staleParts || staleParts.indexOf(target.id) < 0) return;
    event.detail.shouldSwap = false;
    var form = sentFrom && sentFrom.closest ? sentFrom.closest("form") : null;
    if (sentOk && form && target.contains(form)) {
      form.reset();
      var around = form.closest("details");
      if (around && target.contains(around)) around.open = false;
    }
  });
  document.addEventListener("htmx:afterRequest", function () { sentFrom = null; });
  document.addEventListener("htmx:wsBeforeMessage", function () { staleParts = null; sentFrom = null; });

  // A push, or the reply to another control, repaints a part while someone is filling in a
  // form in it (the console's "open it anyway" box, a change to a proposal's text). A form
  // marked data-keep goes into the new part as the person left it (what they wrote, ticked,
  // and the <details> they opened) when the new part has the same form about the same thing:
  // the same action and hidden fields. A change written on a text that changed meanwhile is
  // not carried onto the new text: that form comes fresh. The form just sent is not kept
  // either: its reply renews it.
  function isCheck(field) { return field.type === "checkbox" || field.type === "radio"; }
  function touched(form) {
    for (var i = 0; i < form.elements.length; i++) {
      var field = form.elements[i];
      if (isCheck(field) ? field.checked !== field.defaultChecked
          : field.type !== "hidden" && "defaultValue" in field && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }
  function sameThing(form, fresh) {
    var hidden = form.querySelectorAll("input[type=hidden]");
    for (var i = 0; i < hidden.length; i++) {
      if (hidden[i].name === "csrfmiddlewaretoken") continue; // masked anew on every render
      var other = fresh.querySelector('input[type=hidden][name="' + CSS.escape(hidden[i].name) + '"]');
      if (!other || other.value !== hidden[i].value) return false;
    }
    return true;
  }
  function keepForm(form, fresh) {
    var written = touched(form);
    for (var i = 0; written && i < form.elements.length; i++) {
      var field = form.elements[i];
      if (!field.name || field.type === "hidden") continue;
      var same = fresh.querySelectorAll('[name="' + CSS.escape(field.name) + '"]');
      for (var j = 0; j < same.length; j++) {
        if (isCheck(field)) {
          if (same[j].value === field.value) same[j].checked = field.checked;
        } else if ("value" in same[j]) {
          same[j].value = field.value;
        }
      }
    }
    var around = form.closest("details");
    var freshAround = fresh.closest("details");
    if (around && freshAround && around.open) freshAround.open = true;
  }
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (!event.detail.shouldSwap) return;
    var forms = event.detail.target.querySelectorAll("form[data-keep]");
    for (var i = 0; i < forms.length; i++) {
      if (sentFrom && (forms[i] === sentFrom || forms[i].contains(sentFrom))) continue;
      var action = forms[i].getAttribute("action");
      var fresh = event.detail.fragment.querySelector('form[data-keep][action="' + CSS.escape(action) + '"]');
      if (fresh && sameThing(forms[i], fresh)) keepForm(forms[i], fresh);
    }
  });

  // A socket (re)opens saying which version this screen shows (?v=): when nothing changed
  // meanwhile, the server answers with the version alone instead of the whole room, so a hall
  // back on the Wi-Fi, or a page just loaded, costs it a lookup rather than a render per phone.
  if (window.htmx) {
    var makeSocket = htmx.createWebSocket || function (url) {
      var socket = new WebSocket(url, []);
      socket.binaryType = htmx.config.wsBinaryType;
      return socket;
    };
    htmx.createWebSocket = function (url) {
      var parts = String(url).split("?");
      var query = (parts[1] || "").split("&").filter(function (pair) {
        return pair && pair.indexOf("v=") !== 0 && pair.indexOf("room=") !== 0;
      });
      // A question asked on the socket that closed may never have been answered.
      if (syncAsked) { missed = true; syncAsked = false; }
      var shown = shownVersion();
      if (shown >= 0 && !answerLost) query.push("v=" + shown);
      if (missed) query.push("room=1");
      wholeAsked = missed || answerLost;
      return makeSocket(parts[0] + (query.length ? "?" + query.join("&") : ""));
    };
  }

  function setLive(online) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.textContent = online ? status.dataset.online : status.dataset.offline;
    status.classList.toggle("is-offline", !online);
  }

  // Reconnecting. The extension's own wait doubles up to 64 s; in a hall a phone that lost the
  // Wi-Fi must be back as soon as it can be, so the wait stops at 5 s (jittered, so a room of
  // phones does not knock all at once), and it is skipped when the phone says it is back
  // online or the page is looked at again.
  if (window.htmx) {
    htmx.config.wsReconnectDelay = function (retries) {
      var cap = Math.min(5000, 500 * Math.pow(2, retries));
      return cap / 2 + Math.random() * (cap / 2);
    };
  }
  var RETRIED_CLOSES = [1006, 1011, 1012, 1013]; // what the extension retries; others are meant
  var lastClose = 0;
  function socketWrapper() {
    // The extension keeps its socket in htmx's internal data of the [ws-connect] element.
    var elt = document.querySelector("[ws-connect]");
    var data = elt && elt["htmx-internal-data"];
    return data && data.webSocket && data.webSocket.init ? data.webSocket : null;
  }
  function reconnect(force) {
    var wrapper = socketWrapper();
    if (!wrapper) return;
    if (!wrapper.initNow) {
      // A retry already waiting on its timer must not open a second socket beside ours.
      wrapper.initNow = wrapper.init;
      wrapper.init = function () {
        if (!this.socket || this.socket.readyState > 1) wrapper.initNow.call(this);
      };
    }
    var state = wrapper.socket ? wrapper.socket.readyState : 3;
    if (state === 0 || (state === 1 && !force)) return;
    if (state > 1 && RETRIED_CLOSES.indexOf(lastClose) < 0) return; // closed on purpose
    wrapper.initNow.call(wrapper);
  }
  // Back online, a socket that looks open may be dead (the phone changed networks, or the
  // server gave up on it meanwhile): open a fresh one, which brings the whole room.
  window.addEventListener("offline", function () { setLive(false); });
  window.addEventListener("online", function () {
    setTimeout(function () { reconnect(true); }, Math.random() * 300);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") reconnect(false);
  });

  // The banner of a tap that failed for want of a connection (or a server error) goes once the
  // connection is back or the next tap goes through: it must not suggest later taps failed.
  function clearNotDone() {
    var flash = document.getElementById("flash");
    if (flash && flash.querySelector("[data-not-done]")) flash.replaceChildren();
  }
  document.addEventListener("htmx:wsOpen", function () {
    lastClose = 0;
    setLive(true);
    clearNotDone();
  });
  document.addEventListener("htmx:wsClose", function (event) {
    var closed = event.detail.event;
    var wrapper = socketWrapper();
    if (wrapper && closed && closed.target !== wrapper.socket) return; // one we replaced
    lastClose = closed ? closed.code : 0;
    setLive(false);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) clearNotDone();
  });

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var timers = document.querySelectorAll("[data-deadline]");
    var now = Date.now();
    var turned = false;
    for (var i = 0; i < timers.length; i++) {
      var timer = timers[i];
      var left = Math.round((Date.parse(timer.dataset.deadline) - now) / 1000);
      var over = left < 0;
      var s = Math.abs(left);
      var text = Math.floor(s / 60) + ":" + pad(s % 60);
      var value = timer.querySelector(".timer-value");
      if (value) value.textContent = over ? "+" + text + " " + timer.dataset.over : text;
      if (timer.classList.contains("is-over") !== over) turned = true;
      timer.classList.toggle("is-over", over);
    }
    if (turned) fitProjector();  // "+0:01 over time" is longer than "0:00"
  }

  // The projector: a panel whose text is longer than its box gets smaller type, never cut. The
  // stylesheet sizes a panel's type by --fit; this finds the largest that fits (a few layouts),
  // up to the panel's data-fit (a result may grow to fill the space it is given).
  function overflows(box) {
    return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
  }
  function fit(box) {
    var lo = 0.25, hi = Math.min(Number(box.dataset.fit) || 1, 2);
    box.style.setProperty("--fit", String(hi));
    if (!overflows(box)) return;
    for (var i = 0; i < 8; i++) {
      var mid = (lo + hi) / 2;
      box.style.setProperty("--fit", String(mid));
      if (overflows(box)) hi = mid; else lo = mid;
    }
    box.style.setProperty("--fit", String(lo));
  }
  function fitProjector() {
    var boxes = document.querySelectorAll(".projector > [data-fit]");
    // Twice: fitting a panel that sizes its row changes the room left for the others.
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].offsetParent !== null && (pass === 0 || overflows(boxes[i]))) fit(boxes[i]);
      }
    }
  }
  var fitting = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(fitting);
    fitting = requestAnimationFrame(fitProjector);
  });
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

  // The ballot is the same HTML for everyone; only this phone's own part (#my-vote) says which
  // round it has voted in. Then "your vote is recorded" shows, and a secret ballot's form goes
  // away (an open ballot's stays, to change one's mind until the close).
  // An open ballot also shows what this phone voted (#my-vote's data-choice): its answer's
  // button pressed, or its options ticked or ranked, to change one's mind from. A secret
  // ballot's choice is never sent back.
  function markVoted() {
    var mine = document.getElementById("my-vote");
    var voted = mine && mine.dataset.voted;
    var forms = document.querySelectorAll("#decision .ballot[data-decision]");
    for (var i = 0; i < forms.length; i++) {
      var done = Boolean(voted) && forms[i].dataset.decision === voted;
      var secret = forms[i].hasAttribute("data-secret");
      forms[i].hidden = done && secret;
      var note = forms[i].parentNode.querySelector(".voted-note");
      if (note) note.hidden = !done;
      markChoice(forms[i], done && !secret ? mine.dataset.choice || "" : "");
    }
  }

  function markChoice(form, choice) {
    var picked = choice ? choice.split(" ") : [];
    var buttons = form.querySelectorAll("button.choice");
    for (var i = 0; i < buttons.length; i++) {
      if (choice) buttons[i].setAttribute("aria-pressed", String(picked.indexOf(buttons[i].value) >= 0));
      else buttons[i].removeAttribute("aria-pressed");
    }
    // Ticks and ranks are set once for each choice the server confirmed, not on every settle:
    // a voter changing them before voting again keeps what they are doing. A choice that is
    // gone (a vote the secretary recorded, withdrawn) clears them.
    var was = form.dataset.marked;
    if (was === choice) return;
    form.dataset.marked = choice;
    if (!choice && !was) return;
    var boxes = form.querySelectorAll("input[name=option]");
    for (var j = 0; j < boxes.length; j++) boxes[j].checked = picked.indexOf(boxes[j].value) >= 0;
    var ranks = form.querySelectorAll("select[name=rank]");
    for (var k = 0; k < ranks.length; k++) ranks[k].value = picked[k] || "";
  }

  // Likewise "your answer to the temperature check" stays only while that check is open here:
  // its close, or a new check, changes the room's part, not each phone's own.
  function markAnswer() {
    var answers = document.querySelectorAll(".my-answer[data-check]");
    for (var i = 0; i < answers.length; i++) {
      var open = document.querySelector('#temperature .twinkles[data-check="' + answers[i].dataset.check + '"]');
      answers[i].hidden = !open;
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

  // A ballot whose answer was lost (the Wi-Fi dropped mid-request) is sent again by itself, with
  // the same random operation key, so the server answers it without casting it twice: at once
  // when the phone is back online, else after 1, 2 and 4 seconds.
  function newOperation() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.target instanceof Element && event.target.closest("form.ballot, form.review-actions");
    if (!form) return;
    var sent = {};
    var params = event.detail.formData || event.detail.parameters;
    var names = params.keys ? Array.from(new Set(params.keys())) : Object.keys(params);
    names.forEach(function (name) {
      if (name === "op") return;
      var values = params.getAll ? params.getAll(name) : [params[name]];
      sent[name] = values.length > 1 ? values : values[0];
    });
    // The same operation only for the same ballot sent again (the retry, or the same tap after
    // a lost answer); another choice is a new one, which the server must cast, not answer as
    // the lost one.
    var pending = form._asamblea;
    var again = pending && (pending.retrying || JSON.stringify(pending.values) === JSON.stringify(sent));
    if (!again || !form.dataset.op) form.dataset.op = newOperation();
    event.detail.parameters.op = form.dataset.op;
    form._asamblea = { path: event.detail.path, values: sent, tries: (pending && pending.retrying) ? pending.tries : 0 };
  });
  function retryBallot(form) {
    var pending = form._asamblea;
    if (!pending || !document.body.contains(form)) return;
    pending.retrying = true;
    htmx.ajax("POST", pending.path, { source: form, values: pending.values });
  }
  document.addEventListener("htmx:sendError", function (event) {
    var form = event.target instanceof Element && event.target.closest("form.ballot, form.review-actions");
    if (!form || !form._asamblea) return;
    // The ballot may have been recorded all the same: the next socket asks for the whole room
    // with this person's part (the server does not render it again for every voter of a burst).
    answerLost = true;
    var pending = form._asamblea;
    if (pending.tries >= 3) return;
    pending.tries += 1;
    form.dataset.unsent = "1";
    setTimeout(function () { retryBallot(form); }, 1000 * Math.pow(2, pending.tries - 1));
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof Element && event.target.closest("form.ballot, form.review-actions");
    if (form && event.detail.xhr && event.detail.xhr.status) {
      // Answered (accepted or refused with a reason): the next ballot is a new operation.
      delete form.dataset.op;
      delete form.dataset.unsent;
      form._asamblea = null;
    }
  });
  window.addEventListener("online", function () {
    var forms = document.querySelectorAll("form.ballot[data-unsent], form.review-actions[data-unsent]");
    for (var i = 0; i < forms.length; i++) retryBallot(forms[i]);
  });

  // A tap the server could not take, or that never reached it, says so: never a silent loss.
  function sayNotDone(key) {
    var flash = document.getElementById("flash");
    if (!flash || !flash.dataset[key]) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.dataset.notDone = key;
    p.textContent = flash.dataset[key];
    flash.replaceChildren(p);
  }
  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr && event.detail.xhr.status >= 500) sayNotDone("serverError");
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (!(event.target instanceof Element && event.target.closest(".notes-form"))) sayNotDone("offline");
  });

  // A ballot that opens comes to the person: it is announced to screen readers and scrolled
  // into view, unless they are typing somewhere (the focus and the page stay where they are).
  var ballotShown = null;
  function bringBallot(first) {
    var ballot = document.querySelector("#decision .ballot[data-decision]:not([hidden])");
    var id = ballot ? ballot.dataset.decision : null;
    if (id === ballotShown) return;
    ballotShown = id;
    var news = document.getElementById("ballot-news");
    if (!ballot || first || !news) return;
    var question = document.querySelector("#decision h2");
    news.textContent = news.dataset.template.replace("{question}", question ? question.textContent.trim() : "");
    var active = document.activeElement;
    var typing = active && active.matches("input, textarea, select, [contenteditable]");
    if (!typing) document.getElementById("decision").scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function refresh() { tick(); tickDrift(); markMyPlace(); markVoted(); markAnswer(); bringBallot(false); fitProjector(); }
  setInterval(function () { tick(); tickDrift(); }, 1000);
  document.addEventListener("DOMContentLoaded", function () { bringBallot(true); refresh(); });
  document.addEventListener("htmx:wsAfterMessage", refresh);
  document.addEventListener("htmx:afterSettle", refresh);
})();
