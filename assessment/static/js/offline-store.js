// The phone's own copy of the assessor's work (IndexedDB) and the queue that sends it.
// Loaded by the pages and by the service worker (importScripts), so it uses no DOM.
//
// One record per household (key: the plan household id):
//   fields    the questionnaire's form fields as typed, [[name, value], ...]
//   version   the server's interview version these answers were typed on (0: not started)
//   changed   answers typed that the server does not hold yet; submit: send as a submission
//   outcome   a contact outcome to send {value, key, reserve}; photo: {blob, key, width, height}
//   state     local | waiting | sent | submitted | conflict | error; conflict, message
//   user, seq (queue order), updated (time of the last change)
(function (root) {
  "use strict";
  var NAME = "assess-offline";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("records")) {
          db.createObjectStore("records", {keyPath: "household"});
        }
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", {keyPath: "name"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // Run fn(store) in one transaction; resolves with the last request's result when committed.
  function run(storeName, mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode), result;
        var request = fn(tx.objectStore(storeName));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function get(household) {
    return run("records", "readonly", function (s) { return s.get(household); });
  }
  function all() {
    return run("records", "readonly", function (s) { return s.getAll(); });
  }
  function remove(household) {
    return run("records", "readwrite", function (s) { return s.delete(household); });
  }
  // Read-modify-write in one transaction: fn(record or null) returns the new record (or null
  // to delete it).
  function update(household, fn) {
    return run("records", "readwrite", function (s) {
      var request = s.get(household);
      request.onsuccess = function () {
        var next = fn(request.result || null);
        if (next) s.put(next);
        else if (request.result) s.delete(household);
      };
      return null;
    });
  }
  function getMeta(name) {
    return run("meta", "readonly", function (s) { return s.get(name); });
  }
  function putMeta(value) {
    return run("meta", "readwrite", function (s) { return s.put(value); });
  }
  function removeMeta(name) {
    return run("meta", "readwrite", function (s) { return s.delete(name); });
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function blank(household, user, version) {
    return {household: household, user: String(user), fields: null, version: version,
            changed: false, submit: false, outcome: null, photo: null, draftKey: null,
            state: "local", conflict: null, message: "", seq: Date.now(), updated: Date.now()};
  }

  // The page posted these answers itself (online): the queue stands back until the server's
  // newer version confirms them (the record is dropped) or the post failed (?unsent).
  function postedByPage(record) {
    return !!(record.postedAt && record.updated <= record.postedAt);
  }

  function pending(record) {
    return !!(record && (record.outcome || record.photo || record.changed || record.submit ||
      record.visits && record.visits.length));
  }

  // -- the queue ---------------------------------------------------------------------------
  function post(record, action, key, csrf, fill) {
    var body = new FormData();
    body.append("key", key);
    body.append("action", action);
    body.append("version", String(record.version || 0));
    fill(body);
    return root.fetch("/api/households/" + record.household + "/sync", {
      method: "POST", body: body, credentials: "same-origin", headers: {"X-CSRF-Token": csrf}
    }).then(function (response) {
      return response.json().then(function (json) {
        return {status: response.status, body: json};
      }, function () { return {status: response.status, body: {}}; });
    });
  }

  // The key is stored before the first send: a retry after a lost answer reuses it.
  function keyFor(household, slot) {
    var key = null;
    return update(household, function (r) {
      if (!r) return null;
      var flat = {draft: "draftKey", visits: "visitKey"};
      var holder = flat[slot] ? r : r[slot];
      var name = flat[slot] || "key";
      if (!holder[name]) holder[name] = newKey();
      key = holder[name];
      return r;
    }).then(function () { return key; });
  }

  // The server refused a change: its message (in the user's language) is kept for the
  // pages; without one (403: not this team's household, or a reserve the server did not
  // release) the page says so in its own words (errorCode).
  function failed(household, answer, extra) {
    var body = answer.body || {};
    return update(household, function (r) {
      if (!r) return null;
      r.state = "error";
      r.message = body.message || "";
      r.errorCode = body.error || (answer.status === 403 ? "forbidden" : "http");
      if (extra) extra(r);
      return r;
    });
  }

  function sendOutcome(record, csrf) {
    return keyFor(record.household, "outcome").then(function (key) {
      return post(record, "outcome", key, csrf, function (body) {
        body.append("outcome", record.outcome.value);
        if (record.outcome.reserve) body.append("reserve", String(record.outcome.reserve));
        if (record.outcome.value === "absent") {
          (record.visits || []).forEach(function (at) { body.append("visit_at", at); });
        }
      });
    }).then(function (answer) {
      var b = answer.body || {};
      if (answer.status !== 200) {
        // Refused (the round's visits not met on the server): no reserve released here.
        return serverRelease(record.household, null).then(function () {
          return failed(record.household, answer, function (r) {
            r.outcome = null;
            if (b.visits) { r.visits = []; r.visitKey = null; r.serverVisits = b.visits; }
          });
        });
      }
      return serverRelease(record.household, b.released_reserve).then(function () {
        return update(record.household, function (r) {
          if (!r) return null;
          r.outcome = null;
          r.visits = [];
          r.visitKey = null;
        if (b.created && b.interviewed && !r.version) r.version = b.version;
        if (!b.interviewed) r.state = "sent";
          if (b.reserve_confirmed === false) {
            r.released = b.released_reserve;  // the server's choice: shown on the work list
            r.notice = "reserve-differs";
          }
          return r;
        });
      });
    });
  }

  // The reserve the server released in place of ``household`` (null: none) replaces the
  // one this phone released offline, so the work list shows the server's state.
  function serverRelease(household, reserve) {
    return getMeta("released").then(function (m) {
      var byReplaced = (m && m.byReplaced) || {};
      if (!(household in byReplaced)) return null;
      if (reserve) {
        byReplaced[household] = {id: reserve.id, household_id: reserve.household_id,
                                 head_name: reserve.head_name, server: true};
      } else delete byReplaced[household];
      return putMeta({name: "released", byReplaced: byReplaced});
    });
  }

  // 不在家 visits made offline before the round's rule was met: sent with the phone's times.
  function sendVisits(record, csrf) {
    var sent = (record.visits || []).slice();
    return keyFor(record.household, "visits").then(function (key) {
      return post(record, "visit", key, csrf, function (body) {
        sent.forEach(function (at) { body.append("visit_at", at); });
      });
    }).then(function (answer) {
      if (answer.status !== 200) {
        return failed(record.household, answer, function (r) { r.visits = []; r.visitKey = null; });
      }
      return update(record.household, function (r) {
        if (!r) return null;
        r.visits = (r.visits || []).filter(function (at) { return sent.indexOf(at) < 0; });
        r.visitKey = null;
        r.serverVisits = answer.body.visits;
        if (!pending(r)) r.state = "sent";
        return r;
      });
    });
  }

  function sendPhoto(record, csrf) {
    return keyFor(record.household, "photo").then(function (key) {
      return post(record, "photo", key, csrf, function (body) {
        body.append("photo", record.photo.blob, "photo.jpg");
      });
    }).then(function (answer) {
      if (answer.status !== 200) {
        return failed(record.household, answer, function (r) { r.photo = null; });
      }
      return update(record.household, function (r) {
        if (!r) return null;
        r.photo = null;
        if (answer.body.version && answer.body.version > r.version) r.version = answer.body.version;
        return r;
      });
    });
  }

  function sendAnswers(record, csrf) {
    var action = record.submit ? "submit" : "draft", stamp = record.updated;
    return keyFor(record.household, "draft").then(function (key) {
      return post(record, action, key, csrf, function (body) {
        (record.fields || []).forEach(function (pair) { body.append(pair[0], pair[1]); });
      });
    }).then(function (answer) {
      var b = answer.body;
      if (answer.status === 200) {
        return update(record.household, function (r) {
          if (!r) return null;
          r.version = b.version;
          r.draftKey = null;
          if (r.updated === stamp) {
            r.changed = false;
            r.submit = false;
            r.state = action === "submit" ? "submitted" : "sent";
          }
          return r;
        });
      }
      if (answer.status === 409 && b.error === "stale") {
        return update(record.household, function (r) {
          if (!r) return null;
          r.state = "conflict";
          r.conflict = {version: b.version, changes: b.changes || [], message: b.message};
          return r;
        });
      }
      return failed(record.household, answer, function (r) {
        r.draftKey = null;
        if (answer.status === 422) {  // not submitted; the server kept the answers as a draft
          r.submit = false;
          r.changed = false;
          r.version = b.version || r.version;
          r.errors = b.errors || {};
        }
      });
    });
  }

  // Send one household's queue in order: outcome, photo (before a submission locks the
  // interview), answers. Resolves false when the network is gone.
  function syncOne(household, csrf) {
    function step(send, ready) {
      return get(household).then(function (r) {
        if (!r || r.state === "conflict" || r.state === "error" || !ready(r)) return true;
        return send(r, csrf).then(function () { return true; });
      });
    }
    return step(sendVisits, function (r) { return r.visits && r.visits.length && !r.outcome; })
      .then(function () { return step(sendOutcome, function (r) { return r.outcome; }); })
      .then(function () { return step(sendPhoto, function (r) { return r.photo && !r.outcome; }); })
      .then(function () {
        return step(sendAnswers, function (r) {
          return (r.changed || r.submit) && !r.outcome && r.fields;
        });
      })
      .then(function () { return true; }, function () { return false; });
  }

  var running = null;
  // Send every pending record of ``user`` in queue order; resolves {offline: bool}. The page
  // and the service worker (background sync) may both start it: a Web Lock lets one run and
  // the other step aside ({busy: true}); the worker tells the pages when it is done.
  function syncAll(csrf, user) {
    var locks = root.navigator && root.navigator.locks;
    if (!locks) return syncHere(csrf, user);
    return locks.request("assess-sync", {ifAvailable: true}, function (lock) {
      return lock ? syncHere(csrf, user) : {offline: false, busy: true};
    });
  }

  function syncHere(csrf, user) {
    if (running) return running;
    running = all().then(function (records) {
      var queue = records.filter(function (r) {
        return pending(r) && r.user === String(user) && r.state !== "conflict" &&
          r.state !== "error" && !postedByPage(r);
      }).sort(function (a, b) { return a.seq - b.seq; });
      return queue.reduce(function (previous, r) {
        return previous.then(function (online) {
          return online ? syncOne(r.household, csrf) : false;
        });
      }, Promise.resolve(true));
    }).then(function (online) {
      running = null;
      return {offline: !online};
    }, function (error) {
      running = null;
      throw error;
    });
    return running;
  }

  root.OfflineStore = {
    get: get, all: all, update: update, remove: remove, getMeta: getMeta, putMeta: putMeta,
    removeMeta: removeMeta,
    newKey: newKey, blank: blank, pending: pending, postedByPage: postedByPage, syncAll: syncAll
  };
})(self);
