/* An opt-in sound for overdue items (vitals, a step up, end vitals) on the board and the session page.
 *
 * Off by default; the nurse turns it on with the "Sound for overdue" button, and the tablet remembers it
 * (localStorage). The beep is made with the Web Audio API, no sound file. Browsers let a page make sound
 * only after a touch on it, so nothing plays before one: turning it on is that touch (a short beep says
 * it works); after a reload the first touch anywhere lets it sound again. Each overdue item sounds once
 * (remembered for this tablet session, so the board's reloads do not repeat it), and again only when
 * something else becomes overdue. */
(function () {
  "use strict";
  var KEY = "chairside.sound";
  var HEARD_KEY = "chairside.sound.heard";
  var button = document.getElementById("sound-toggle");
  if (!button) return;
  var context = null;
  var pending = false; // an overdue item waits for the first touch to be heard

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

  function beep() {
    var ctx = audio();
    if (!ctx || ctx.state !== "running") { pending = true; return; }
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
    pending = false;
    button.dataset.beeps = String((+button.dataset.beeps || 0) + 1);
  }

  // What is overdue on this page now: each element marked data-overdue names its items.
  function overdueKeys() {
    var keys = [];
    document.querySelectorAll("[data-overdue]").forEach(function (el) {
      (el.dataset.overdue || "").split(" ").forEach(function (k) { if (k) keys.push(k); });
    });
    return keys;
  }

  function check() {
    if (!on()) return;
    var known = heard();
    var fresh = overdueKeys().filter(function (k) { return known.indexOf(k) === -1; });
    if (!fresh.length) return;
    remember(known.concat(fresh));
    beep();
  }

  function gesture() {
    var ctx = on() && audio();
    if (!ctx || ctx.state === "running") return;
    ctx.resume().then(function () { if (pending) beep(); }).catch(function () {});
  }

  button.addEventListener("click", function () {
    var enabled = !on();
    try { localStorage.setItem(KEY, enabled ? "on" : "off"); } catch (e) { /* private mode: this page only */ }
    show();
    if (!enabled) return;
    var ctx = audio();
    if (!ctx) return;
    // This tap is the gesture the browser asks for; the beep says the sound works.
    ctx.resume().then(function () {
      var before = +button.dataset.beeps || 0;
      check(); // what is overdue now sounds at once
      if ((+button.dataset.beeps || 0) === before) beep();
    }).catch(function () {});
  });
  document.addEventListener("pointerdown", gesture, true);
  document.addEventListener("keydown", gesture, true);

  document.addEventListener("DOMContentLoaded", function () {
    show();
    check();
    // The session's running header is swapped in every 30 s (chairside.js): look again each time.
    var live = document.getElementById("live");
    if (live && window.MutationObserver) new MutationObserver(check).observe(live, { childList: true });
  });
})();
