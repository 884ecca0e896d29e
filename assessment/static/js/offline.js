// Offline-first capture on the assessor's pages (the store and queue are offline-store.js).
// - registers the service worker and asks for persistent storage;
// - on the work list, online: caches the day's pages (list, households, questionnaires,
//   reserves) and shows what waits to be sent;
// - on a household page, offline: records the outcome on the phone (a non-interview
//   releases the next cached reserve, which the server checks on sync);
// - on the questionnaire: keeps every answer on the phone as it is typed (read from the
//   form's own inputs by name), resizes the photo, saves or submits offline, shows a
//   conflict with both versions;
// - sends the queue on page load, when the network returns and by background sync.
(function () {
  "use strict";
  var store = window.OfflineStore;
  var strings = document.getElementById("offline-strings");
  if (!store || !strings || !window.indexedDB) return;
  var T = strings.dataset, user = T.user;
  var tokenInput = document.querySelector('input[name="csrf_token"]');
  var csrf = tokenInput ? tokenInput.value : "";
  var DAY = "assess-day-v1", MAX_SIDE = 1600;
  var status = null;

  function text(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return values && name in values ? values[name] : all;
    });
  }

  // -- indicator: saved on the phone / waiting to be sent / offline ------------------------
  function indicator() {
    if (status) return status;
    var main = document.querySelector("main.page") || document.body;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = "/static/offline.css";
    document.head.appendChild(link);
    status = document.createElement("p");
    status.id = "offline-status";
    status.className = "offline-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    main.insertBefore(status, main.firstChild);
    return status;
  }

  function show(message, kind) {
    var el = indicator();
    el.textContent = message;
    el.className = "offline-status " + (kind || "");
  }

  // A one-off message (a reserve released, a photo kept...), apart from the status line.
  function notice(message, kind) {
    indicator();
    var el = document.getElementById("offline-notice");
    if (!el) {
      el = document.createElement("div");
      el.id = "offline-notice";
      el.setAttribute("role", "status");
      status.parentNode.insertBefore(el, status.nextSibling);
    }
    el.className = "flash " + (kind === "error" ? "flash-error" : "flash-success");
    el.textContent = message;
  }

  function refresh() {
    return store.all().then(function (records) {
      var mine = records.filter(function (r) { return r.user === user; });
      var waiting = mine.filter(function (r) {  // refused by the server: counted below
        return store.pending(r) && !store.postedByPage(r) && r.state !== "error";
      }).length;
      var problems = mine.filter(function (r) {
        return r.state === "conflict" || r.state === "error";
      }).length;
      var parts = [];
      if (!navigator.onLine) parts.push(T.offline);
      if (waiting) parts.push(text(T.waiting, {n: waiting}));
      if (problems) parts.push(text(T.problems, {n: problems}));
      if (!parts.length && mine.length) parts.push(T.sent);
      if (parts.length) {
        show(parts.join(" · "), !navigator.onLine ? "offline" : waiting || problems ? "waiting" : "sent");
      }
      // For scripts and tests: what is left to send, and whether the browser is online.
      document.documentElement.dataset.offlinePending = String(waiting);
      document.documentElement.dataset.offlineRecords = String(mine.length);
      document.documentElement.dataset.offlineOnline = navigator.onLine ? "1" : "0";
      document.dispatchEvent(new CustomEvent("offline:refreshed", {detail: mine}));
      return mine;
    });
  }

  function trySync() {
    if (!navigator.onLine || !csrf) return refresh();
    return store.syncAll(csrf, user).then(refresh, refresh);
  }

  function later() {  // background sync where the browser has it
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("assess-sync");
      return null;
    }).catch(function () {});
  }

  // -- the work list: cache the day ---------------------------------------------------------
  function cacheDay() {
    return fetch("/api/offline/day", {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (day) {
      return caches.open(DAY).then(function (cache) {
        var bytes = 0;
        return day.pages.reduce(function (previous, p) {
          return previous.then(function () {
            return fetch(p.url, {credentials: "same-origin"}).then(function (response) {
              if (!response.ok || response.redirected) return null;
              return response.clone().blob().then(function (blob) {
                bytes += blob.size;
                return cache.put(p.key, response);
              });
            }).catch(function () { return null; });
          });
        }, Promise.resolve()).then(function () {
          return confirmPosted(day).then(refresh);
        }).then(function () {
          return store.putMeta({name: "day", user: user, day: day, bytes: bytes,
                                at: Date.now()});
        }).then(function () {
          var count = day.households.length;
          document.documentElement.dataset.offlineReady = String(count);
          notice(text(T.ready, {n: count}));
        });
      });
    }).catch(function () {});
  }

  // Answers the page posted itself are confirmed once the server's version passed the one
  // they were posted on: the phone's copy is dropped.
  function confirmPosted(day) {
    var versions = {};
    day.households.forEach(function (h) { versions[h.id] = h.version || 0; });
    return store.all().then(function (records) {
      return Promise.all(records.filter(function (r) {
        return r.user === user && store.postedByPage(r) && versions[r.household] > r.postedVersion;
      }).map(function (r) { return store.remove(r.household); }));
    });
  }

  function released() {
    return store.getMeta("released").then(function (m) { return (m && m.byReplaced) || {}; });
  }

  function workList() {
    var params = new URLSearchParams(location.search);
    if (params.get("missing")) notice(T.missing, "error");
    if (navigator.onLine) {
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
      cacheDay();
    }
    released().then(function (byReplaced) {
      var just = params.get("released");
      Object.keys(byReplaced).forEach(function (k) {
        var r = byReplaced[k];
        if (String(r.id) === just) notice(text(T.released, {head: r.head_name, id: r.household_id}));
      });
      if (params.get("noreserve")) notice(T.noReserve, "error");
    });
    // The phone's part of the list, drawn again after every send (the server may decide
    // otherwise than the phone did).
    document.addEventListener("offline:refreshed", phoneState);
    phoneState();
  }

  function phoneState() {
    Promise.all([released(), store.all(), store.getMeta("day")]).then(function (both) {
      var byReplaced = both[0], records = both[1], day = both[2] && both[2].day;
      var reserves = Object.keys(byReplaced).map(function (k) { return byReplaced[k]; });
      var names = {};
      if (day) {
        var all = day.households.slice();
        Object.keys(day.reserves).forEach(function (q) { all = all.concat(day.reserves[q]); });
        all.forEach(function (h) { names[h.id] = h.head_name + " " + h.household_id; });
      }
      ["offline-released", "offline-problems"].forEach(function (id) {
        var old = document.getElementById(id);
        if (old) old.remove();
      });
      document.querySelectorAll(".offline-mark").forEach(function (el) { el.remove(); });
      if (reserves.length) listReleased(reserves);
      markWaiting(records);
      listProblems(records, names);
    });
  }

  function listReleased(reserves) {
    var main = document.querySelector("main.page");
    var section = document.createElement("section");
    section.className = "card";
    section.id = "offline-released";
    var h = document.createElement("h2");
    h.textContent = T.releasedHeading;
    var list = document.createElement("ul");
    list.className = "worklist";
    reserves.forEach(function (r) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "/surveys/households/" + r.id + "/interview";
      a.textContent = r.head_name + " " + r.household_id;
      li.appendChild(a);
      list.appendChild(li);
    });
    section.appendChild(h);
    section.appendChild(list);
    main.appendChild(section);
  }

  // Changes the server did not take (or decided otherwise), each with its reason.
  function listProblems(records, names) {
    var mine = records.filter(function (r) { return r.user === user && problemText(r); });
    if (!mine.length) return;
    var section = document.createElement("section");
    section.className = "card";
    section.id = "offline-problems";
    section.setAttribute("role", "alert");
    var h = document.createElement("h2");
    h.textContent = T.problemsHeading;
    var list = document.createElement("ul");
    mine.forEach(function (r) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = "/surveys/households/" + r.household;
      a.textContent = names[r.household] || "#" + r.household;
      li.appendChild(a);
      li.appendChild(document.createTextNode(": " + problemText(r)));
      list.appendChild(li);
    });
    section.appendChild(h);
    section.appendChild(list);
    var main = document.querySelector("main.page");
    main.insertBefore(section, main.firstChild.nextSibling);
  }

  function markWaiting(records) {
    records.forEach(function (r) {
      if (r.user !== user || !(store.pending(r) || r.state === "conflict")) return;
      var link = document.querySelector('a[href$="/surveys/households/' + r.household + '"]');
      if (!link) return;
      var mark = document.createElement("span");
      mark.className = "badge warn offline-mark";
      mark.textContent = r.state === "conflict" ? T.conflictShort : T.waitingShort;
      link.appendChild(mark);
      var folded = link.closest("details");  // done villages fold away; not with work waiting
      if (folded) folded.open = true;
    });
  }

  // -- a household page offline: the outcome on the phone -----------------------------------
  function nextReserve(household) {
    return Promise.all([store.getMeta("day"), released()]).then(function (both) {
      var day = both[0] && both[0].day, byReplaced = both[1];
      if (!day) return null;
      var me = day.households.filter(function (h) { return h.id === household; })[0];
      if (!me) return null;
      var taken = Object.keys(byReplaced).map(function (k) { return byReplaced[k].id; });
      var queue = day.reserves[me.reserve_queue] || [];
      return queue.filter(function (r) { return taken.indexOf(r.id) < 0; })[0] || null;
    });
  }

  // The household as the day's cache has it (a household of the list, or a reserve), with
  // the round's 不在家 rule and the visits the server had recorded.
  function dayEntry(household) {
    return store.getMeta("day").then(function (m) {
      var day = m && m.day;
      if (!day) return null;
      var all = day.households.slice();
      Object.keys(day.reserves).forEach(function (q) { all = all.concat(day.reserves[q]); });
      return all.filter(function (h) { return h.id === household; })[0] || null;
    });
  }

  // The visits that count under the rule (each at least the gap after the last counted one),
  // as the server counts them; and from when the next one counts.
  function countVisits(rule, times) {
    var gap = rule.gap_minutes * 60000, counted = 0, last = null;
    times.map(function (t) { return Date.parse(t); }).sort(function (a, b) { return a - b; })
      .forEach(function (t) {
        if (last === null || t - last >= gap) { counted += 1; last = t; }
      });
    var needed = Math.max(0, rule.visits - counted);
    return {counted: counted, needed: needed, next: needed && last !== null ? new Date(last + gap) : null};
  }

  function clock(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(date.getMonth() + 1) + "-" + two(date.getDate()) + " " + two(date.getHours()) +
      ":" + two(date.getMinutes());
  }

  // 不在家 offline: one visit stamped with the phone's clock, kept with the household.
  function visitHere(household, entry) {
    var at = new Date().toISOString();
    var found = null;
    return store.update(household, function (r) {
      r = r || store.blank(household, user, 0);
      r.visits = (r.visits || []).concat([at]);
      r.state = "waiting";
      // The server's visits as the day cached them or a later send answered, and this
      // phone's unsent ones, each once.
      var seen = {}, times = [];
      (entry.visits || []).concat(r.serverVisits || [], r.visits).forEach(function (t) {
        var ms = Date.parse(t);
        if (!seen[ms]) { seen[ms] = true; times.push(t); }
      });
      found = countVisits(entry.visit_rule, times);
      found.total = times.length;
      return r;
    }).then(function () { return found; });
  }

  // The confirmation, as the online page has it: which reserve the outcome releases.
  function confirmCard(form, value, entry, reserve, onConfirm) {
    var old = document.getElementById("offline-confirm");
    if (old) old.remove();
    var card = document.createElement("section");
    card.id = "offline-confirm";
    card.className = "card confirm";
    var h = document.createElement("h2");
    h.textContent = T.confirmTitle;
    var p = document.createElement("p");
    p.id = "offline-confirm-reserve";
    if (entry && !entry.visit_rule) p.textContent = T.notReplaced;
    else if (reserve) p.textContent = text(T.willRelease, {head: reserve.head_name, id: reserve.household_id});
    else { p.textContent = T.noReserve; p.className = "error"; }
    var actions = document.createElement("p");
    actions.className = "actions";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = T.cancel;
    cancel.addEventListener("click", function () { card.remove(); });
    var ok = document.createElement("button");
    ok.type = "button";
    ok.className = "primary";
    ok.id = "offline-confirm-button";
    ok.textContent = T.confirm;
    ok.addEventListener("click", function () { ok.disabled = true; onConfirm(); });
    actions.appendChild(cancel);
    actions.appendChild(ok);
    card.appendChild(h);
    card.appendChild(p);
    card.appendChild(actions);
    form.parentNode.insertBefore(card, form.nextSibling);
    card.scrollIntoView();
  }

  function householdPage(household) {
    store.get(household).then(function (r) { if (r && r.user === user) problemNotice(r); });
    var form = document.querySelector("form.outcomes");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;
      event.preventDefault();
      var value = event.submitter ? event.submitter.value : "";
      if (value === "interviewed") {
        startOffline(household).then(function () {
          location.href = "/surveys/households/" + household + "/interview";
        });
        return;
      }
      Promise.all([dayEntry(household), nextReserve(household)]).then(function (both) {
        var entry = both[0], reserve = both[1];
        var replaced = !entry || !!entry.visit_rule;
        var first = value === "absent" && entry && entry.visit_rule ?
          visitHere(household, entry) : Promise.resolve(null);
        return first.then(function (visits) {
          if (visits && visits.needed) {
            later();
            notice(text(T.visitHere, {n: visits.total, needed: visits.needed,
                                      time: clock(visits.next)}));
            return;
          }
          confirmCard(form, value, entry, replaced ? reserve : null, function () {
            release(household, value, replaced ? reserve : null);
          });
        });
      });
    });
  }

  function release(household, value, reserve) {
    return store.update(household, function (r) {
      r = r || store.blank(household, user, 0);
      r.outcome = {value: value, key: store.newKey(), reserve: reserve ? reserve.id : null};
      r.state = "waiting";
      return r;
    }).then(function () {
      if (!reserve) return null;
      return released().then(function (byReplaced) {
        byReplaced[household] = reserve;
        return store.putMeta({name: "released", byReplaced: byReplaced});
      });
    }).then(function () {
      later();
      location.href = "/surveys/assignments?" +
        (reserve ? "released=" + reserve.id : "noreserve=1");
    });
  }

  // What the server said about a change it did not take, in the user's language.
  function problemText(r) {
    if (r.state === "error") {
      if (r.errorCode === "forbidden") return T.forbidden;
      return r.message || T.failed;
    }
    if (r.notice === "reserve-differs" && r.released) {
      return text(T.reserveDiffers, {head: r.released.head_name, id: r.released.household_id});
    }
    return "";
  }

  function problemNotice(r) {
    var message = problemText(r);
    if (message) notice(message, "error");
  }

  function startOffline(household) {
    return store.update(household, function (r) {
      r = r || store.blank(household, user, 0);
      if (!r.version && !r.outcome) {
        r.outcome = {value: "interviewed", key: store.newKey(), reserve: null};
      }
      r.state = "waiting";
      return r;
    });
  }

  // -- the questionnaire -------------------------------------------------------------------
  var SKIP = ["csrf_token", "version", "photo", "save", "submit"];

  function snapshot(form) {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP.indexOf(el.name) >= 0 || el.disabled && el.type !== "hidden") return;
      if (el.type === "file" || el.type === "button" || el.type === "submit") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          pairs.push([el.name, o.value]);
        });
        return;
      }
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  // Roster rows added on the phone (survey.js adds them in the page): as many rows as the
  // kept answers name, before the values are put back.
  function addRows(form, pairs) {
    form.querySelectorAll("[data-group]").forEach(function (group) {
      var prefix = group.dataset.group + "-", most = -1;
      pairs.forEach(function (p) {
        if (p[0].indexOf(prefix) !== 0) return;
        var n = parseInt(p[0].slice(prefix.length), 10);
        if (n > most) most = n;
      });
      var add = group.querySelector("[data-add-row]");
      while (add && !add.hidden && group.querySelectorAll("[data-row]").length <= most) add.click();
    });
  }

  function restore(form, pairs) {
    var values = {};
    addRows(form, pairs);
    pairs.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP.indexOf(el.name) >= 0 || el.type === "file") return;
      var mine = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") el.checked = mine.indexOf(el.value) >= 0;
      else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = mine.indexOf(o.value) >= 0;
        });
      } else if (el.type !== "button" && el.type !== "submit") el.value = mine.length ? mine[0] : "";
    });
  }

  function resizePhoto(file) {
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var width = Math.round(bitmap.width * scale), height = Math.round(bitmap.height * scale);
      var canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve({blob: blob, width: width, height: height});
        }, "image/jpeg", 0.85);
      });
    });
  }

  function conflictCard(form, household, record) {
    var old = document.getElementById("offline-conflict");
    if (old) old.remove();
    if (record.state !== "conflict" || !record.conflict) return;
    var card = document.createElement("section");
    card.id = "offline-conflict";
    card.className = "card stale offline-conflict";
    card.setAttribute("role", "alert");
    var h = document.createElement("h2");
    h.textContent = T.conflictTitle;
    var p = document.createElement("p");
    p.textContent = T.conflictHelp;
    var table = document.createElement("table");
    table.className = "table";
    var head = table.createTHead().insertRow();
    [T.question, T.theirs, T.yours].forEach(function (label) {
      var th = document.createElement("th");
      th.textContent = label;
      head.appendChild(th);
    });
    var body = table.createTBody();
    record.conflict.changes.forEach(function (c) {
      var row = body.insertRow();
      [c.label || c.path, c.theirs, c.yours].forEach(function (v) {
        row.insertCell().textContent = v === null || v === undefined ? "—" : String(v);
      });
    });
    var actions = document.createElement("p");
    actions.className = "actions";
    var keep = document.createElement("button");
    keep.type = "button";
    keep.id = "offline-keep-mine";
    keep.textContent = T.keepMine;
    keep.addEventListener("click", function () {
      store.update(household, function (r) {
        r.version = r.conflict.version;  // my answers, sent again on the server's version
        r.conflict = null;
        r.draftKey = null;
        r.changed = true;
        r.state = "waiting";
        r.updated = Date.now();
        return r;
      }).then(function () { card.remove(); return trySync(); });
    });
    var theirs = document.createElement("button");
    theirs.type = "button";
    theirs.id = "offline-take-theirs";
    theirs.textContent = T.takeTheirs;
    theirs.addEventListener("click", function () {
      store.remove(household).then(function () { location.reload(); });
    });
    actions.appendChild(keep);
    actions.appendChild(theirs);
    card.appendChild(h);
    card.appendChild(p);
    card.appendChild(table);
    card.appendChild(actions);
    form.parentNode.insertBefore(card, form);
  }

  function questionnaire(household) {
    var form = document.getElementById("interview-form");
    if (!form || form.querySelector("fieldset[disabled]")) return;
    var pageVersion = parseInt(form.elements.version.value, 10) || 0;
    var writes = Promise.resolve();

    function keep(change) {  // serialised: the last keystroke is the last write
      writes = writes.then(function () { return store.update(household, change); })
        .then(refresh);
      return writes;
    }

    var unsent = new URLSearchParams(location.search).get("unsent");
    (unsent ? store.update(household, function (r) {
      if (r) r.postedAt = null;  // the page's post failed: the queue sends it
      return r;
    }).then(function () { later(); notice(T.unsent, "error"); }) : Promise.resolve())
    .then(function () { return store.get(household); }).then(function (record) {
      if (record && record.user === user && (store.pending(record) || record.state === "conflict" ||
          record.state === "error")) {
        var postedThrough = record.postedAt && pageVersion > record.postedVersion &&
          record.updated <= record.postedAt;
        if (postedThrough) return store.remove(household);
        if (record.fields) restore(form, record.fields);
        if (record.version > pageVersion) form.elements.version.value = record.version;
        conflictCard(form, household, record);
        return null;
      }
      if (record && record.user === user && pageVersion >= (record.version || 0)) {
        return store.remove(household);  // sent, and the page shows the server's copy
      }
      return null;
    }).then(refresh);

    function typed() {
      var fields = snapshot(form);
      keep(function (r) {
        r = r || store.blank(household, user, pageVersion);
        if (!r.version && !r.outcome && pageVersion === 0) {
          r.outcome = {value: "interviewed", key: store.newKey(), reserve: null};
        }
        if (!store.pending(r) && r.state !== "conflict") r.version = pageVersion;
        r.fields = fields;
        r.changed = true;
        r.draftKey = null;
        if (r.state !== "conflict") r.state = navigator.onLine ? "local" : "waiting";
        r.updated = Date.now();
        return r;
      });
    }
    function mode() { form.classList.toggle("offline-form", !navigator.onLine); }
    mode();
    window.addEventListener("online", mode);
    window.addEventListener("offline", mode);
    form.addEventListener("input", typed);
    form.addEventListener("change", function (event) {
      if (event.target.type !== "file") typed();
    });

    var photo = form.querySelector('input[type="file"][name="photo"]');
    if (photo) {
      photo.addEventListener("change", function () {
        var file = photo.files && photo.files[0];
        if (!file) return;
        resizePhoto(file).then(function (small) {
          var resized = new File([small.blob], "photo.jpg", {type: "image/jpeg"});
          if (window.DataTransfer) {  // an online save sends the resized photo too
            var swap = new DataTransfer();
            swap.items.add(resized);
            photo.files = swap.files;
          }
          return keep(function (r) {
            r = r || store.blank(household, user, pageVersion);
            r.photo = {blob: small.blob, key: null, width: small.width, height: small.height};
            if (!r.version && !r.outcome && pageVersion === 0) {
              r.outcome = {value: "interviewed", key: store.newKey(), reserve: null};
            }
            r.updated = Date.now();
            return r;
          }).then(function () {
            form.dataset.photoWidth = small.width;
            form.dataset.photoHeight = small.height;
            notice(text(T.photo, {w: small.width, h: small.height}));
          });
        }).catch(function () {});
      });
    }

    var held = false, marked = false;  // submit held while the phone writes its mark; written
    form.addEventListener("submit", function (event) {
      var submitting = event.submitter && event.submitter.name === "submit";
      var fields = snapshot(form);
      if (navigator.onLine && pageVersion > 0) {
        // The page posts it; the queue stands back unless the post never arrives (the
        // service worker then comes back here with ?unsent). The mark is written before the
        // browser leaves the page: a write still pending when the page unloads is lost, and
        // the queue would then send the same answers a second time.
        if (marked) return;
        event.preventDefault();
        if (held) return;  // a second click while the mark is written
        held = true;
        var submitter = event.submitter;
        var post = function () {
          if (marked) return;
          marked = true;
          if (form.requestSubmit) {
            form.requestSubmit(submitter || undefined);
            return;
          }
          if (submitter && submitter.name) {  // form.submit() sends no button: add its value
            var pressed = document.createElement("input");
            pressed.type = "hidden";
            pressed.name = submitter.name;
            pressed.value = submitter.value;
            form.appendChild(pressed);
          }
          form.submit();
        };
        keep(function (r) {
          if (!r) return null;
          r.postedAt = Date.now();
          r.postedVersion = pageVersion;
          return r;
        }).then(post, post);
        setTimeout(post, 3000);  // a phone store that never answers does not hold the post
        return;
      }
      event.preventDefault();
      keep(function (r) {
        r = r || store.blank(household, user, pageVersion);
        if (!r.version && !r.outcome && pageVersion === 0) {
          r.outcome = {value: "interviewed", key: store.newKey(), reserve: null};
        }
        r.fields = fields;
        r.changed = true;
        r.submit = submitting;
        r.draftKey = null;
        r.state = "waiting";
        r.updated = Date.now();
        return r;
      }).then(function () {
        later();
        notice(submitting ? T.submittedHere : T.savedHere);
        return navigator.onLine ? trySync() : null;
      });
    });

    document.addEventListener("offline:refreshed", function (event) {
      var mine = event.detail.filter(function (r) { return r.household === household; })[0];
      if (!mine) return;
      if (mine.version > (parseInt(form.elements.version.value, 10) || 0)) {
        form.elements.version.value = mine.version;
      }
      conflictCard(form, household, mine);
    });
  }

  // -- logging out: the day's pages go, unsent changes stay ----------------------------------
  function logout() {
    var form = document.querySelector('form[action$="/logout"]');
    if (!form) return;
    form.addEventListener("submit", function (event) {
      store.all().then(function (records) {
        var unsent = records.filter(function (r) {
          return r.user === user && store.pending(r) && !store.postedByPage(r);
        });
        if (unsent.length && !window.confirm(T.logoutUnsent)) return;
        return Promise.all([caches.delete(DAY), store.removeMeta("day")])
          .then(function () { form.submit(); });
      });
      event.preventDefault();
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "synced") refresh();
    });
  }
  store.putMeta({name: "session", csrf: csrf, user: user});
  var path = location.pathname, match;
  if (path === "/surveys/assignments") workList();
  else if ((match = path.match(/^\/surveys\/households\/(\d+)$/))) householdPage(+match[1]);
  else if ((match = path.match(/^\/surveys\/households\/(\d+)\/interview$/))) {
    questionnaire(+match[1]);
  }
  logout();
  window.addEventListener("online", trySync);
  window.addEventListener("offline", refresh);
  trySync();
})();
