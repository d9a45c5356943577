/* The tablet's screen lock. After <meta name="screen-lock" content="N"> minutes without a touch the page
 * is covered and asks for the nurse's password again; the server is told (POST lock), so a reload does
 * not get past it. While locked, nothing is sent: a request to the server fails here as if the tablet
 * were offline, so chairside.js keeps its queued entries (they are NOT lost) and sends them once
 * unlocked. The server locks an idle session too, and answers 401 `session_locked`; that answer is
 * treated the same way. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="screen-lock"]');
  if (!meta) return;
  var lockMs = +meta.content * 60000;
  var lockUrl = meta.dataset.lockUrl;
  var unlockUrl = meta.dataset.unlockUrl;
  var loginUrl = meta.dataset.loginUrl;
  var who = meta.dataset.user || "";
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  // Strings in the page's language (the catalogue script before this one); English without it.
  var _ = window.gettext || function (text) { return text; };
  function ngettext(one, many, n) { return window.ngettext ? window.ngettext(one, many, n) : (n === 1 ? one : many); }
  function fill(text, values) { return window.interpolate ? window.interpolate(text, values, true) : text.replace(/%\((\w+)\)s/g, function (m, k) { return values[k]; }); }
  var QUEUE_KEY = "chairside.queue"; // chairside.js's queue, read only to say how many entries wait
  var LOCKED_KEY = "chairside.locked"; // survives a reload, so a reload never gets past the lock
  var HEARTBEAT_MS = 60000;
  var lastTouch = Date.now();
  var lastBeat = Date.now();
  var touchedSinceBeat = false;
  var locked = false;
  var realFetch = window.fetch.bind(window);
  // The unlock page (where a locked session's page loads land) asks for the password itself.
  var onLockPage = /\/unlock\/$/.test(window.location.pathname);
  if (onLockPage) locked = true;
  var wasLocked = false;
  try { wasLocked = sessionStorage.getItem(LOCKED_KEY) === "1"; } catch (e) { /* nothing kept */ }
  // Locked before this page loaded: hold every request from the start, before chairside.js flushes.
  if (wasLocked) locked = true;

  function waiting() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]").length; } catch (e) { return 0; }
  }

  function sameOrigin(url) {
    try { return new URL(url, window.location.href).origin === window.location.origin; } catch (e) { return false; }
  }

  function isLockEndpoint(url) {
    var path = new URL(url, window.location.href).pathname;
    return path === lockUrl || path === unlockUrl;
  }

  // Hold back every request to our server while locked, as if offline: the queue keeps the entry.
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    if (!sameOrigin(url) || isLockEndpoint(url)) return realFetch(input, init);
    if (locked) return Promise.reject(new TypeError(_("The screen is locked; nothing was sent.")));
    return realFetch(input, init).then(function (response) {
      if (response.status !== 401) return response;
      return response.clone().json().catch(function () { return {}; }).then(function (body) {
        if (body && body.code === "session_locked") {
          showLock();
          throw new TypeError(_("The screen is locked; nothing was sent."));
        }
        return response;
      });
    });
  };

  function post(url, body) {
    return realFetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
    });
  }

  var overlay = null;
  function build() {
    overlay = document.createElement("div");
    overlay.id = "screen-lock";
    overlay.className = "screen-lock";
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-labelledby", "screen-lock-title");
    overlay.innerHTML =
      '<form class="card narrow" novalidate>' +
      '<h1 id="screen-lock-title"></h1>' +
      '<p class="lock-who-line"></p>' +
      '<p class="lock-queue muted" hidden></p>' +
      '<p class="lock-error error" role="alert" hidden></p>' +
      '<label><span class="lock-password"></span> <input type="password" name="password" id="screen-lock-password" autocomplete="current-password" required></label>' +
      '<button type="submit" class="primary big"></button>' +
      "</form>";
    // The texts are set as text, in the page's language (the catalogue script), never as markup.
    overlay.querySelector("h1").textContent = _("Screen locked");
    var line = overlay.querySelector(".lock-who-line");
    var parts = _("Signed in as %(name)s. Enter your password to go on.").split("%(name)s");
    var strong = document.createElement("strong");
    strong.className = "lock-who";
    strong.textContent = who;
    line.append(parts[0], strong, parts.slice(1).join(""));
    overlay.querySelector(".lock-password").textContent = _("Password");
    overlay.querySelector("button").textContent = _("Unlock");
    overlay.querySelector("form").addEventListener("submit", submitUnlock);
    document.body.appendChild(overlay);
  }

  function describeQueue(el) {
    var n = waiting();
    el.hidden = !n;
    el.textContent = n ? fill(ngettext("%(n)s entry waits on this tablet; it is sent once you unlock.",
      "%(n)s entries wait on this tablet; they are sent once you unlock.", n), { n: n }) : "";
  }

  function showLock() {
    var shown = locked && overlay && !overlay.hidden;
    locked = true;
    try { sessionStorage.setItem(LOCKED_KEY, "1"); } catch (e) { /* private mode: the server's lock holds */ }
    if (shown) return;
    if (!overlay) build();
    var main = document.querySelector("main");
    if (main) main.hidden = true; // nothing of the patient shows behind the lock
    describeQueue(overlay.querySelector(".lock-queue"));
    overlay.querySelector(".lock-error").hidden = true;
    overlay.hidden = false;
    var input = overlay.querySelector("input");
    input.value = "";
    input.focus();
  }

  function lockNow() {
    if (locked && overlay && !overlay.hidden) return;
    showLock();
    post(lockUrl).catch(function () { /* offline: the server locks an idle session by itself */ });
  }

  function hideLock() {
    locked = false;
    try { sessionStorage.removeItem(LOCKED_KEY); } catch (e) { /* nothing kept */ }
    lastTouch = lastBeat = Date.now();
    touchedSinceBeat = false;
    if (overlay) overlay.hidden = true;
    var main = document.querySelector("main");
    if (main) main.hidden = false;
  }

  function submitUnlock(event) {
    event.preventDefault();
    var form = event.target;
    var error = form.querySelector(".lock-error");
    var button = form.querySelector("button");
    button.disabled = true;
    post(unlockUrl, { password: form.querySelector("input").value }).then(function (response) {
      if (response.redirected || !(response.headers.get("Content-Type") || "").includes("json")) {
        window.location.href = loginUrl; // the session itself has ended: log in again
        return;
      }
      return response.json().then(function (body) {
        if (response.ok && body.locked === false) { hideLock(); return; }
        error.textContent = body.detail || _("Not unlocked.");
        error.hidden = false;
        form.querySelector("input").value = "";
      });
    }).catch(function () {
      error.textContent = _("No answer from the server: the tablet must be online to unlock. Your entries are kept.");
      error.hidden = false;
    }).finally(function () { button.disabled = false; });
  }

  function touched() {
    if (locked) return;
    lastTouch = Date.now();
    touchedSinceBeat = true;
    if (lastTouch - lastBeat >= HEARTBEAT_MS) heartbeat();
  }

  // A touch keeps the server's side of the lock awake too, at most once a minute.
  function heartbeat() {
    lastBeat = Date.now();
    touchedSinceBeat = false;
    realFetch(lockUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) { if (body && body.locked) showLock(); })
      .catch(function () {});
  }

  function check() {
    if (locked || onLockPage) return;
    var now = Date.now();
    if (now - lastTouch >= lockMs) { lockNow(); return; }
    if (touchedSinceBeat && now - lastBeat >= HEARTBEAT_MS) heartbeat();
  }

  ["pointerdown", "keydown", "touchstart", "input", "scroll"].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true, capture: true });
  });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
  setInterval(check, 10000);
  document.addEventListener("DOMContentLoaded", function () {
    var queueNote = document.getElementById("unlock-queue");
    if (queueNote) describeQueue(queueNote);
    if (onLockPage) {
      try { sessionStorage.removeItem(LOCKED_KEY); } catch (e) { /* nothing kept */ }
    } else if (wasLocked) {
      lockNow(); // locked before this page loaded (and perhaps offline then): lock the server too
    }
  });
})();
