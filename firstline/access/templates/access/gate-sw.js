// The gate page's service worker: the page's shell when the network is away.
// - the gate page (any ?checkpoint=): network first; offline, the last copy this device loaded;
// - static files: the cached copy at once, refreshed in the background.
// The data to decide with (the snapshot) and the queue live in the page's IndexedDB, not here.
"use strict";
var CACHE = "firstline-gate-v1";
var GATE = "{{ gate_url|escapejs }}";
var STATIC = "{{ static_url|escapejs }}";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("firstline-gate-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
// The page names what it needs (its stylesheets, scripts and itself) once it is controlled.
self.addEventListener("message", function (event) {
  var urls = event.data && event.data.cache;
  if (!urls) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      var u = new URL(url, self.location.href);
      if (u.origin !== self.location.origin) return null;
      var key = u.pathname === GATE ? GATE : u.href;
      return fetch(u.href, { credentials: "same-origin" }).then(function (resp) {
        if (resp.ok && !resp.redirected) return cache.put(key, resp);
      }).catch(function () { /* try again next time */ });
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && url.pathname === GATE) {
    event.respondWith(fetch(req).then(function (resp) {
      // A redirect (to the login page) is not the gate page: never keep it as such.
      if (resp.ok && !resp.redirected) {
        var copy = resp.clone();
        caches.open(CACHE).then(function (cache) { cache.put(GATE, copy); });
      }
      return resp;
    }).catch(function () {
      return caches.match(GATE).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(req).then(function (hit) {
        var fresh = fetch(req).then(function (resp) {
          if (resp.ok) cache.put(req, resp.clone());
          return resp;
        });
        return hit || fresh;
      });
    }));
  }
});
