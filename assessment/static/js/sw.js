// The service worker of the assessor's app, served at /sw.js so its scope is the whole site.
// - The app shell (styles, scripts) comes from its cache at once and is refreshed behind.
// - The work list, household pages and questionnaires come from the network when it answers
//   (and the copy kept for offline work is refreshed); offline, from the day's cache that the
//   work list filled (see offline.js), so a household never opened before loads too.
// - Queued changes are sent by background sync where the browser has it (offline-store.js).
importScripts("/static/js/offline-store.js");

var SHELL = "assess-shell-v1";
var DAY = "assess-day-v1";
var SHELL_URLS = [
  "/static/app.css", "/static/surveys.css", "/static/offline.css", "/static/favicon.svg",
  "/static/js/app.js", "/static/js/survey.js", "/static/js/offline.js",
  "/static/js/offline-store.js"
];
var WORK_LIST = "/surveys/assignments";
var PAGES = /^\/surveys\/(assignments|households\/\d+(\/interview)?)$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(SHELL_URLS);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("assess-") === 0 && k !== SHELL && k !== DAY;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function shell(request) {
  var refreshed = fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  });
  return caches.match(request).then(function (hit) {
    if (hit) {
      refreshed.catch(function () {});
      return hit;
    }
    return refreshed;
  });
}

function page(request, path) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && response.type === "basic") {
      var copy = response.clone();
      caches.open(DAY).then(function (cache) { cache.put(path, copy); });
    }
    return response;
  }, function () {
    return caches.open(DAY).then(function (cache) { return cache.match(path); })
      .then(function (hit) {
        if (hit) return hit;
        // Not kept for offline work: the work list says so (offline.js reads ?missing).
        return Response.redirect(WORK_LIST + "?missing=1", 302);
      });
  });
}

// The questionnaire posted by the page itself (online): if the network fails on the way, come
// back to the (cached) questionnaire, whose answers are on the phone; offline.js queues them.
function posted(request, path) {
  return fetch(request).catch(function () {
    return Response.redirect(path + "?unsent=1", 303);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" &&
      /^\/surveys\/households\/\d+\/interview$/.test(url.pathname)) {
    event.respondWith(posted(request, url.pathname));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(shell(request));
  } else if (PAGES.test(url.pathname)) {
    event.respondWith(page(request, url.pathname));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "assess-sync") return;
  event.waitUntil(OfflineStore.getMeta("session").then(function (session) {
    if (!session) return null;
    return OfflineStore.syncAll(session.csrf, session.user).then(function (result) {
      if (result.offline) throw new Error("offline");  // the browser tries again later
      return self.clients.matchAll().then(function (clients) {
        clients.forEach(function (c) { c.postMessage({type: "synced"}); });
      });
    });
  }));
});
