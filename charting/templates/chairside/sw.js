{% load static i18n %}/* The tablet's service worker (scope /chairside/): pages come from the network when there is one and
 * are kept on the tablet, so a reload without network shows the page as last loaded (it says so) and the
 * queue of entries in localStorage survives. The API and the live header are never cached: what the
 * server says is only ever the server's. Logging out empties the cache. */
"use strict";
var CACHE = "chairside-v2";
// The script strings in the page's language: kept like a page, so a reload offline still speaks it.
var CATALOG = "{% url 'chairside:jsi18n' %}";
var SHELL = ["{% static 'chairside/chairside.css' %}", "{% static 'chairside/chairside.js' %}"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.keep) caches.open(CACHE).then(function (cache) { return cache.add(new Request(data.keep, { credentials: "same-origin" })); }).catch(function () {});
  if (data.forget) caches.delete(CACHE);
});

function isPage(request, url) {
  if (request.method === "GET" && url.pathname === CATALOG) return true;
  return request.method === "GET" && request.mode === "navigate" && url.pathname.indexOf("/chairside/") === 0 &&
    url.pathname.indexOf("/live/") === -1 && url.pathname.indexOf("/login/") === -1;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isPage(request, url)) {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreVary: true }).then(function (hit) {
        if (hit || request.mode !== "navigate") return hit || Response.error();
        return caches.match("{% url 'chairside:board' %}").then(function (board) { return board || new Response(
          "<!doctype html><meta charset=utf-8><title>{% translate "Offline" %}</title><p>{% translate "Offline, and this page was not opened on this tablet before." %}</p>",
          { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }); });
      });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
