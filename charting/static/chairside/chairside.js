/* Chairside forms: post JSON to /api/v1/sessions/..., say when saved, never pretend to have saved.
 *
 * Every entry gets a client id (crypto UUID) when first submitted and keeps it for every resend, so a
 * double tap or a resend after a lost answer is stored once (the server answers with the first row).
 * Offline, the entry waits in localStorage (in order) and is sent when the tablet is back online. */
(function () {
  "use strict";
  var QUEUE_KEY = "chairside.queue";
  var FLASH_KEY = "chairside.flash";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  // The page's language: its strings come from the catalogue script (/chairside/jsi18n/, kept offline by
  // the service worker); without it the tablet still works, in English.
  var lang = document.documentElement.lang || "en";
  var _ = window.gettext || function (text) { return text; };
  function ngettext(one, many, n) { return window.ngettext ? window.ngettext(one, many, n) : (n === 1 ? one : many); }
  function fill(text, values) { return window.interpolate ? window.interpolate(text, values, true) : text.replace(/%\((\w+)\)s/g, function (m, k) { return values[k]; }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  // Times in the site's zone, labelled (the tablet's own zone may be another), as the pages show them.
  function clock(date) {
    var zone = document.body && document.body.dataset.zone;
    var options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZoneName: "short" };
    if (zone) options.timeZone = zone;
    try { return date.toLocaleTimeString(lang === "en" ? "en-US" : lang, options); } catch (e) { return date.toLocaleTimeString([], options); }
  }
  function queue() { try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; } }
  function saveQueue(items) { localStorage.setItem(QUEUE_KEY, JSON.stringify(items)); showBanners(); }

  function showBanners() {
    var offline = !navigator.onLine;
    var waiting = queue();
    var banner = document.getElementById("offline-banner");
    var text = document.getElementById("offline-text");
    if (banner) {
      banner.hidden = !offline;
      text.textContent = (waiting.length
        ? fill(ngettext("%(n)s entry is NOT saved yet; kept on this tablet and sent when it is back online.",
          "%(n)s entries are NOT saved yet; kept on this tablet and sent when it is back online.", waiting.length), { n: waiting.length })
        : _("Nothing you enter now is saved until the tablet is back online.")) +
        " " + fill(_("This page is as it was at %(time)s."), { time: document.body.dataset.renderedAt });
    }
    var q = document.getElementById("queue-banner");
    if (q) {
      q.hidden = offline || !waiting.length;
      q.textContent = fill(ngettext("%(n)s entry waiting to be sent: %(entries)s", "%(n)s entries waiting to be sent: %(entries)s", waiting.length),
        { n: waiting.length, entries: waiting.map(function (w) { return w.label + " (" + w.clock + ")"; }).join(", ") });
    }
  }

  function payload(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if (el.type === "checkbox") { data[el.name] = el.checked; return; }
      if (el.type === "radio") { if (el.checked) data[el.name] = el.value; return; }
      if (el.hasAttribute("data-time")) {
        // A clock time today on this tablet; empty means now (taken when the entry is first submitted).
        var at = new Date();
        if (el.value) { var p = el.value.split(":"); at.setHours(+p[0], +p[1], 0, 0); }
        data[el.name] = at.toISOString();
        return;
      }
      if (el.value === "") return;
      data[el.name] = el.value;
    });
    // "Save as a new set", "Record it anyway": the nurse's answer to the question the server asked.
    if (form.dataset.confirmField) { data[form.dataset.confirmField] = true; delete form.dataset.confirmField; }
    return data;
  }

  function status(form, text, kind) {
    var el = form.querySelector(".form-status");
    if (!el) return;
    el.textContent = text;
    el.className = "form-status" + (kind ? " " + kind : "");
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
  }

  function showErrors(form, body) {
    clearErrors(form);
    var fields = (body && body.fields) || {};
    Object.keys(fields).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) return;
      var span = document.createElement("span");
      span.className = "field-error";
      span.textContent = fields[name].map(function (e) { return e.detail; }).join(" ");
      (input.closest("label") || input).appendChild(span);
    });
    status(form, fill(_("Not saved: %(why)s"), { why: (body && body.detail) || _("the server refused it.") }), "error");
    ask(form, body);
  }

  // A question the server asked (a reason, a confirmation): show it in the form, where the hand is.
  function ask(form, body) {
    var code = body && body.code;
    var box = code && form.querySelector('.ask[data-ask="' + code + '"]');
    if (!box) return;
    box.hidden = false;
    var text = box.querySelector(".ask-text");
    if (text) text.textContent = body.detail.replace(/^[a-z_]+: /, "");
    status(form, _("Not saved yet: answer the question above."), "error");
    var first = box.querySelector("input:not([type=hidden]), button");
    if (first) first.focus();
  }

  function describe(label, body) {
    var text = fill(_("%(label)s saved at %(time)s"), { label: label, time: clock(new Date()) });
    if (body && body.flags && body.flags.length) {
      text += ". " + fill(_("Flagged: %(flags)s"), { flags: body.flags.map(function (f) { return f.message; }).join(" ") }) +
        " " + _("Consider slowing or pausing the infusion. Is this a reaction?");
    }
    return text;
  }

  function send(entry) {
    return fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf, "X-Chairside-Language": lang },
      body: JSON.stringify(entry.body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  function afterSave(entry, body, form) {
    var warn = body && body.flags && body.flags.length;
    sessionStorage.setItem(FLASH_KEY, JSON.stringify({
      text: describe(entry.label, body), warn: !!warn, label: entry.label,
      then: (form && form.dataset.then) || null,
    }));
    window.location.reload();
  }

  function enqueue(form, entry, why) {
    var items = queue();
    if (!items.some(function (i) { return i.body.client_id === entry.body.client_id; })) items.push(entry);
    saveQueue(items);
    status(form, fill(_("NOT saved yet (%(why)s): kept on this tablet, will be sent when back online."), { why: why }), "pending");
    delete form.dataset.clientId;
    form.reset();
  }

  function submit(event) {
    var form = event.target;
    if (!form.dataset.endpoint) return;
    event.preventDefault();
    if (form.dataset.busy) return; // a second tap while the first is on its way
    // One client id per entry: a resend of the same entry (double tap, lost answer) reuses it.
    form.dataset.clientId = form.dataset.clientId || uuid();
    var body = payload(form);
    body.client_id = form.dataset.clientId;
    var entry = { url: form.dataset.endpoint, body: body, label: form.dataset.label || _("Entry"), clock: clock(new Date()) };
    clearErrors(form);
    if (!navigator.onLine) { enqueue(form, entry, _("offline")); return; }
    form.dataset.busy = "1";
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    status(form, _("Saving…"), "pending");
    send(entry).then(function (result) {
      if (result.ok) { delete form.dataset.clientId; afterSave(entry, result.body, form); return; }
      showErrors(form, result.body);
      if (result.body && result.body.fields && result.body.fields.rate_ml_per_hour &&
          result.body.code === "over_cap_unconfirmed") {
        form.querySelectorAll(".confirm-cap").forEach(function (el) { el.hidden = false; });
      }
    }).catch(function () {
      // No answer: the entry may or may not have reached the server. Keep it and resend with the same
      // client id; the server stores it once either way.
      enqueue(form, entry, _("no answer from the server"));
    }).finally(function () {
      delete form.dataset.busy;
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return;
    var items = queue();
    if (!items.length) return;
    flushing = true;
    var entry = items[0];
    send(entry).then(function (result) {
      var rest = queue().filter(function (i) { return i.body.client_id !== entry.body.client_id; });
      saveQueue(rest);
      if (result.ok) {
        sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: describe(entry.label, result.body) + " " + _("(sent after reconnecting)"), warn: false }));
      } else {
        sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: fill(_("%(label)s from %(time)s was NOT saved: %(why)s"), { label: entry.label, time: entry.clock, why: result.body.detail || _("refused") }), warn: true }));
      }
      flushing = false;
      if (rest.length) flush(); else window.location.reload();
    }).catch(function () { flushing = false; });
  }

  // The result of the last action: next to the form it came from (scrolled into view), and in the
  // page's live region, which stays in sight at the bottom of the screen.
  function showFlash() {
    var raw = sessionStorage.getItem(FLASH_KEY);
    if (!raw) return;
    sessionStorage.removeItem(FLASH_KEY);
    var flash = document.getElementById("flash");
    var data = JSON.parse(raw);
    flash.textContent = data.text;
    flash.className = "flash" + (data.warn ? " warn" : "");
    flash.hidden = false;
    setTimeout(function () { flash.classList.add("quiet"); }, 8000);
    var form = data.label && document.querySelector('form[data-label="' + data.label + '"]');
    if (form && !form.closest("dialog")) {
      status(form, data.text, data.warn ? "pending" : "saved");
      form.scrollIntoView({ block: "center" });
    }
    var then = data.then && document.querySelector(data.then);
    if (then) {
      then.scrollIntoView({ block: "start" });
      var field = then.querySelector("select, input:not([type=hidden])");
      if (field) field.focus({ preventScroll: true });
    }
  }

  // A flagged reading must be answered: the prompt opens over the page and Escape does not close it.
  function openPrompt() {
    var prompt = document.querySelector("dialog[data-must-answer]");
    if (!prompt || !prompt.showModal) return;
    prompt.addEventListener("cancel", function (event) { event.preventDefault(); });
    prompt.showModal();
  }

  // The running header: the server renders it, the tablet fetches it every 30 s and swaps it in.
  function dirty() {
    return Array.prototype.some.call(document.querySelectorAll("form[data-endpoint] input:not([type=hidden])"),
      function (el) { return el.type === "checkbox" || el.type === "radio" ? el.checked !== el.defaultChecked : el.value !== el.defaultValue; });
  }
  function poll(live) {
    if (!navigator.onLine || document.hidden) return;
    if (document.getElementById("screen-lock")) return; // locked: nothing is asked of the server
    fetch(live.dataset.poll, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Chairside-Poll": "1" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) {
        // Only the header itself is swapped in (a locked or signed-out session answers with a page).
        if (html === null || html.indexOf('class="live-inner"') === -1) return;
        var before = live.querySelector("[data-status]");
        live.innerHTML = html;
        var after = live.querySelector("[data-status]");
        // Another tablet moved the session on (started, ended it): show the page as it now is, unless
        // the nurse is typing here.
        if (before && after && before.dataset.status !== after.dataset.status && !dirty() && !queue().length) {
          window.location.reload();
        }
      })
      .catch(function () { /* offline or a lost answer: the next poll tries again */ });
  }

  // A vial's GS1 barcode: read by the camera where the browser has BarcodeDetector, or typed; the server
  // parses it (product, lot, expiry), refuses another product than the order's, and fills the lot form.
  function readBarcode(box, code) {
    var out = box.querySelector("#scan-status");
    var form = document.getElementById("lot-form");
    out.className = "form-status pending"; out.textContent = _("Reading…");
    fetch(box.dataset.scan, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf, "X-Chairside-Language": lang },
      body: JSON.stringify({ code: code }),
    }).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (result) {
        if (!result.ok) {
          form.querySelector('[name="gtin"]').value = "";
          out.className = "form-status error"; out.textContent = fill(_("Refused: %(why)s"), { why: String(result.body.detail).replace(/^[a-z_]+: /, "") }); return;
        }
        var v = result.body;
        form.querySelector('[name="gtin"]').value = v.gtin;
        form.querySelector('[name="lot_number"]').value = v.lot_number;
        form.querySelector('[name="expiry"]').value = v.expiry;
        out.className = "form-status saved";
        out.textContent = fill(_("Read: lot %(lot)s, expires %(expiry)s (GTIN %(gtin)s). Check the vials, then Record lot."), { lot: v.lot_number, expiry: v.expiry, gtin: v.gtin });
      }).catch(function () { out.className = "form-status error"; out.textContent = _("No answer from the server: type the lot."); });
  }
  function setUpScan() {
    var box = document.querySelector("[data-scan]");
    if (!box) return;
    var input = box.querySelector("#barcode");
    box.querySelector("#read-barcode").addEventListener("click", function () { if (input.value) readBarcode(box, input.value); });
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); if (input.value) readBarcode(box, input.value); } });
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return; // typing stays
    var camera = box.querySelector("#scan-camera");
    camera.hidden = false;
    camera.addEventListener("click", function () {
      var video = box.querySelector("#scan-video");
      var detector = new window.BarcodeDetector({ formats: ["data_matrix", "code_128", "qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream; video.hidden = false; video.play();
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
        var look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) { stop(); input.value = codes[0].rawValue; readBarcode(box, codes[0].rawValue); }
            else setTimeout(look, 200);
          }).catch(function () { stop(); });
        };
        look();
      }).catch(function () { box.querySelector("#scan-status").textContent = _("No camera: type the barcode or the lot."); });
    });
  }

  // Offline reload: the service worker keeps each tablet page as last loaded (never the API).
  function keepOffline() {
    if (!("serviceWorker" in navigator) || !document.body.dataset.sw) return;
    navigator.serviceWorker.register(document.body.dataset.sw, { scope: "/chairside/" }).catch(function () {});
    navigator.serviceWorker.ready.then(function (registration) {
      if (navigator.onLine && registration.active) registration.active.postMessage({ keep: window.location.href });
    });
    var logout = document.querySelector("form[data-logout]");
    if (logout) logout.addEventListener("submit", function () {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({ forget: true });
    });
  }

  document.addEventListener("submit", submit);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("button[data-print]")) { window.print(); return; }
    var button = event.target.closest && event.target.closest("button[data-confirm]");
    if (!button || !button.form) return;
    button.form.dataset.confirmField = button.dataset.confirm;
    button.form.requestSubmit();
  });
  window.addEventListener("online", function () { showBanners(); flush(); });
  window.addEventListener("offline", showBanners);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".confirm-cap").forEach(function (el) { el.hidden = true; });
    showFlash();
    openPrompt();
    setUpScan();
    keepOffline();
    showBanners();
    var live = document.querySelector("[data-poll]");
    if (live) setInterval(function () { poll(live); }, (+live.dataset.pollSeconds || 30) * 1000);
    flush();
    setInterval(flush, 5000);
    var board = document.getElementById("board");
    if (board && board.dataset.refresh) {
      setInterval(function () { if (navigator.onLine && !queue().length) window.location.reload(); }, +board.dataset.refresh * 1000);
    }
  });
})();
