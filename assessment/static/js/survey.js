// The questionnaire page: live skip logic and checks, roster rows added and removed in the
// page, section index and progress, draft saved on leaving the page, browser location.
(function () {
  var form = document.getElementById("interview-form");
  if (!form) return;
  var dirty = false, submitting = false, timer = null;
  var locked = !!form.querySelector("fieldset[disabled]");

  function data() {
    var fd = new FormData(form);
    fd.delete("photo");  // the photo travels only with an explicit save
    fd.delete("save"); fd.delete("submit");
    return fd;
  }

  // Skip logic and the draft's checks: the server evaluates the instrument and says which
  // questions are asked and what is wrong so far, keyed by the page's field names.
  function showProblems(problems) {
    form.querySelectorAll(".error.live").forEach(function (p) { p.remove(); });
    Object.keys(problems || {}).forEach(function (name) {
      var box = form.querySelector('[data-field="' + name + '"]');
      if (!box) return;
      var after = box.classList.contains("q-group") ? box.querySelector("h3") : null;
      problems[name].forEach(function (text) {
        var p = document.createElement("p");
        p.className = "error live";
        p.textContent = text;
        if (after) after.after(p); else box.appendChild(p);
      });
    });
  }
  var asked = 0;  // only the answer to the latest question counts (responses may cross)
  function refreshRelevance() {
    var mine = ++asked;
    fetch(form.dataset.relevance, {method: "POST", body: data(), credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || mine !== asked) return;
        Object.keys(answer.relevant).forEach(function (name) {
          var box = form.querySelector('[data-field="' + name + '"]');
          if (box) box.classList.toggle("skipped", !answer.relevant[name]);
        });
        showProblems(answer.problems);
        progress();
      })
      .catch(function () {});
  }
  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(refreshRelevance, 400);
    progress();
  }

  // Typing counts too (an age typed shows the questions asked from that age at once).
  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  form.addEventListener("submit", function () { submitting = true; });

  // Roster rows: added and removed here, renumbered so the names stay 0..n-1.
  function escape(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  function renumber(group) {
    var prefix = new RegExp("^(" + escape(group.dataset.group) + "-)\\d+(?=-|$)");
    var rows = group.querySelectorAll("[data-row]");
    rows.forEach(function (row, i) {
      row.querySelectorAll("[name],[id],[for],[data-field]").forEach(function (el) {
        ["name", "id", "for", "data-field"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(prefix, "$1" + i));
        });
      });
      row.querySelectorAll("[id^='q-']").forEach(function (el) {
        el.id = "q-" + el.dataset.field;
      });
      row.querySelector(".row-title").textContent = group.dataset.member.replace("{n}", i + 1);
      var note = row.querySelector(".blank-note");
      if (note) note.hidden = i !== rows.length - 1;
      row.querySelector("[data-remove-row]").hidden = rows.length < 2;
    });
    var add = group.querySelector("[data-add-row]");
    add.hidden = locked || rows.length >= parseInt(group.dataset.max, 10);
    if (locked) rows.forEach(function (row) { row.querySelector("[data-remove-row]").hidden = true; });
  }
  function blankRow(row) {
    var copy = row.cloneNode(true);
    copy.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") el.checked = false;
      else el.value = "";
    });
    copy.querySelectorAll(".error, .review-comment").forEach(function (el) { el.remove(); });
    copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    return copy;
  }
  form.querySelectorAll("[data-group]").forEach(function (group) {
    group.querySelector("[data-add-row]").addEventListener("click", function () {
      var rows = group.querySelectorAll("[data-row]");
      var row = blankRow(rows[rows.length - 1]);
      rows[rows.length - 1].after(row);
      renumber(group);
      var first = row.querySelector("input, textarea, select");
      if (first) first.focus();
      changed();
    });
    group.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove-row]");
      if (!button || group.querySelectorAll("[data-row]").length < 2) return;
      button.closest("[data-row]").remove();
      renumber(group);
      changed();
    });
    renumber(group);
  });

  // Progress: questions answered of those asked (a roster row with nothing typed is nobody),
  // for the whole questionnaire and for each section of the index.
  function answered(box) {
    return Array.prototype.some.call(box.querySelectorAll("input, textarea, select"),
      function (el) {
        if (el.type === "radio" || el.type === "checkbox") return el.checked;
        return el.type !== "hidden" && el.type !== "file" && el.value.trim() !== "";
      });
  }
  function progress() {
    var total = {asked: 0, answered: 0}, sections = {};
    form.querySelectorAll(".q[data-field]").forEach(function (box) {
      if (box.classList.contains("skipped")) return;
      var row = box.closest("[data-row]");
      if (row && !Array.prototype.some.call(row.querySelectorAll(".q"), answered)) return;
      var section = box.closest(".q-section").id;
      var count = sections[section] = sections[section] || {asked: 0, answered: 0};
      var yes = answered(box) ? 1 : 0;
      count.asked += 1; count.answered += yes;
      total.asked += 1; total.answered += yes;
    });
    document.querySelectorAll(".section-count").forEach(function (span) {
      var count = sections[span.dataset.section] || {asked: 0, answered: 0};
      span.textContent = count.answered + "/" + count.asked;
      span.classList.toggle("done", count.asked > 0 && count.answered === count.asked);
    });
    var label = document.getElementById("q-progress");
    if (label) label.textContent = label.dataset.template
      .replace("{answered}", total.answered).replace("{asked}", total.asked);
    var bar = document.getElementById("q-progress-bar");
    if (bar) bar.style.width = (total.asked ? 100 * total.answered / total.asked : 0) + "%";
  }
  // A jump closes the index, so the section is not hidden under it on a phone.
  var index = document.querySelector("#q-index details");
  if (index) index.addEventListener("click", function (event) {
    if (event.target.closest("a")) index.open = false;
  });
  progress();

  // Draft saved when the page is hidden or left; the version returned keeps the form current.
  function autosave() {
    if (!dirty || submitting || locked) return;
    dirty = false;
    var body = data();
    if (window.fetch) {
      fetch(form.dataset.autosave, {method: "POST", body: body, keepalive: true,
                                     credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          if (answer && answer.version) form.elements.version.value = answer.version;
          else dirty = true;
        })
        .catch(function () { dirty = true; });
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(form.dataset.autosave, body);
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") autosave();
  });
  window.addEventListener("pagehide", autosave);

  // Optional location from the browser, only when the assessor asks for it.
  var locate = document.getElementById("locate");
  var state = document.getElementById("location-state");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude;
        form.elements.lon.value = pos.coords.longitude;
        form.elements.accuracy.value = pos.coords.accuracy;
        state.textContent = locate.dataset.done;
        dirty = true;
      }, function () { state.textContent = locate.dataset.failed; },
      {enableHighAccuracy: true, timeout: 15000});
    });
  } else if (locate) {
    locate.hidden = true;
  }
})();
