/* An opt-in sound for overdue items (vitals, a step up, end vitals) on the board and the session page.
 *
 * Off by default; the nurse turns it on with the "Sound for overdue" button, and the tablet remembers it
 * (localStorage). The beep is made with the Web Audio API, no sound file. Browsers let a page make sound
 * only after a touch on it, so nothing plays before one: turning it on is that touch (a short beep says
 * it works); after a reload nothing sounds before the first touch anywhere on the page. Each overdue
 * item sounds once (remembered for this browser tab, so the board's reloads do not repeat it), and the
 * sound comes again only when something else becomes overdue. */
(function () {
  "use strict";
  var KEY = "chairside.sound";
  var HEARD_KEY = "chairside.sound.heard";
  var button = document.getElementById("sound-toggle");
  if (!button) return;
  var context = null;
  var touched = false; // a touch (or key) on this page: only then may it sound
  var pending = false; // an overdue item waits for the first touch to be heard
  var due = []; // the overdue items the next beep is for

  function on() { try { return localStorage.getItem(KEY) === "on"; } catch (e) { return false; } }
  function heard() { try { return JSON.parse(sessionStorage.getItem(HEARD_KEY) || "[]"); } catch (e) { return []; } }
  function remember(keys) { try { sessionStorage.setItem(HEARD_KEY, JSON.stringify(keys.slice(-200))); } catch (e) { /* private mode */ } }

  function show() {
    var enabled = on();
    button.setAttribute("aria-pressed", enabled ? "true" : "false");
    button.textContent = enabled ? button.dataset.on : button.dataset.off;
    button.classList.toggle("on", enabled);
  }

  function audio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!context) context = new Context();
    return context;
  }

  function play(ctx) {
    // Two short tones, clear over a ward's noise without being an alarm.
    [0, 0.25].forEach(function (offset) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, ctx.currentTime + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + offset + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + offset);
      osc.stop(ctx.currentTime + offset + 0.2);
    });
    button.dataset.beeps = String((+button.dataset.beeps || 0) + 1);
    // Heard only once it sounded: a reload before the first touch (the board's) keeps it waiting.
    remember(heard().concat(due));
    due = [];
  }

  // Nothing sounds, and no audio is even set up, before a touch on this page: what falls due before
  // it waits for it.
  function beep() {
    if (!touched) { pending = true; button.dataset.waiting = "1"; return; }
    pending = false;
    delete button.dataset.waiting;
    var ctx = audio();
    if (!ctx) return;
    if (ctx.state === "running") { play(ctx); return; }
    ctx.resume().then(function () { play(ctx); }).catch(function () {});
  }

  // What is overdue on this page now: each element marked data-overdue names its items.
  function overdueKeys() {
    var keys = [];
    document.querySelectorAll("[data-overdue]").forEach(function (el) {
      (el.dataset.overdue || "").split(" ").forEach(function (k) { if (k) keys.push(k); });
    });
    return keys;
  }

  // Sound for what became overdue since it last sounded; true when it did.
  function check() {
    if (!on()) return false;
    var known = heard();
    var fresh = overdueKeys().filter(function (k) { return known.indexOf(k) === -1; });
    if (!fresh.length) return false;
    due = fresh;
    beep();
    return true;
  }

  function gesture() {
    touched = true;
    if (pending && on()) beep();
  }

  button.addEventListener("click", function () {
    var enabled = !on();
    try { localStorage.setItem(KEY, enabled ? "on" : "off"); } catch (e) { /* private mode: this page only */ }
    show();
    if (!enabled) { pending = false; delete button.dataset.waiting; return; }
    touched = true; // this tap is the gesture the browser asks for
    if (!check()) beep(); // what is overdue now sounds at once, else a beep says the sound works
  });
  document.addEventListener("pointerdown", gesture, true);
  document.addEventListener("keydown", gesture, true);

  document.addEventListener("DOMContentLoaded", function () {
    show();
    check();
    // The session's running header is swapped in every 30 s (chairside.js): look again each time.
    var live = document.getElementById("live");
    if (live && window.MutationObserver) new MutationObserver(function () { check(); }).observe(live, { childList: true });
  });
})();
