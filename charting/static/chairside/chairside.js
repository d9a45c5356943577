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

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function clock(date) { return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false }); }
  function queue() { try { return JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]"); } catch (e) { return []; } }
  function saveQueue(items) { localStorage.setItem(QUEUE_KEY, JSON.stringify(items)); showBanners(); }

  function showBanners() {
    var offline = !navigator.onLine;
    var waiting = queue();
    var banner = document.getElementById("offline-banner");
    var text = document.getElementById("offline-text");
    if (banner) {
      banner.hidden = !offline;
      text.textContent = waiting.length
        ? waiting.length + " entr" + (waiting.length === 1 ? "y is" : "ies are") + " NOT saved yet; kept on this tablet and sent when it is back online."
        : "Nothing you enter now is saved until the tablet is back online.";
    }
    var q = document.getElementById("queue-banner");
    if (q) {
      q.hidden = offline || !waiting.length;
      q.textContent = waiting.length + " entr" + (waiting.length === 1 ? "y" : "ies") + " waiting to be sent: " +
        waiting.map(function (w) { return w.label + " (" + w.clock + ")"; }).join(", ");
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
    status(form, "Not saved: " + ((body && body.detail) || "the server refused it."), "error");
  }

  function describe(label, body) {
    var text = label + " saved at " + clock(new Date());
    if (body && body.flags && body.flags.length) {
      text += ". Flagged: " + body.flags.map(function (f) { return f.message; }).join(" ") +
        " Consider slowing or pausing the infusion. Is this a reaction?";
    }
    return text;
  }

  function send(entry) {
    return fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(entry.body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  function afterSave(entry, body) {
    var warn = body && body.flags && body.flags.length;
    sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: describe(entry.label, body), warn: !!warn }));
    window.location.reload();
  }

  function enqueue(form, entry, why) {
    var items = queue();
    if (!items.some(function (i) { return i.body.client_id === entry.body.client_id; })) items.push(entry);
    saveQueue(items);
    status(form, "NOT saved yet (" + why + "): kept on this tablet, will be sent when back online.", "pending");
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
    var entry = { url: form.dataset.endpoint, body: body, label: form.dataset.label || "Entry", clock: clock(new Date()) };
    clearErrors(form);
    if (!navigator.onLine) { enqueue(form, entry, "offline"); return; }
    form.dataset.busy = "1";
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    status(form, "Saving…", "pending");
    send(entry).then(function (result) {
      if (result.ok) { delete form.dataset.clientId; afterSave(entry, result.body); return; }
      showErrors(form, result.body);
      if (result.body && result.body.fields && result.body.fields.rate_ml_per_hour &&
          result.body.code === "over_cap_unconfirmed") {
        form.querySelectorAll(".confirm-cap").forEach(function (el) { el.hidden = false; });
      }
    }).catch(function () {
      // No answer: the entry may or may not have reached the server. Keep it and resend with the same
      // client id; the server stores it once either way.
      enqueue(form, entry, "no answer from the server");
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
        sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: describe(entry.label, result.body) + " (sent after reconnecting)", warn: false }));
      } else {
        sessionStorage.setItem(FLASH_KEY, JSON.stringify({ text: entry.label + " from " + entry.clock + " was NOT saved: " + (result.body.detail || "refused"), warn: true }));
      }
      flushing = false;
      if (rest.length) flush(); else window.location.reload();
    }).catch(function () { flushing = false; });
  }

  function showFlash() {
    var raw = sessionStorage.getItem(FLASH_KEY);
    if (!raw) return;
    sessionStorage.removeItem(FLASH_KEY);
    var flash = document.getElementById("flash");
    var data = JSON.parse(raw);
    flash.textContent = data.text;
    flash.className = "flash" + (data.warn ? " warn" : "");
    flash.hidden = false;
  }

  document.addEventListener("submit", submit);
  window.addEventListener("online", function () { showBanners(); flush(); });
  window.addEventListener("offline", showBanners);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".confirm-cap").forEach(function (el) { el.hidden = true; });
    showFlash();
    showBanners();
    flush();
    setInterval(flush, 5000);
    var board = document.getElementById("board");
    if (board && board.dataset.refresh) {
      setInterval(function () { if (navigator.onLine && !queue().length) window.location.reload(); }, +board.dataset.refresh * 1000);
    }
  });
})();
