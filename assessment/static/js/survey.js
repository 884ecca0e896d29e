// The questionnaire page: live skip logic, draft saved on leaving the page, browser location.
(function () {
  var form = document.getElementById("interview-form");
  if (!form) return;
  var dirty = false, submitting = false, timer = null;

  function data() {
    var fd = new FormData(form);
    fd.delete("photo");  // the photo travels only with an explicit save
    fd.delete("save"); fd.delete("submit");
    return fd;
  }

  // Skip logic: the server evaluates the instrument and says which questions are asked.
  function refreshRelevance() {
    fetch(form.dataset.relevance, {method: "POST", body: data(), credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer) return;
        Object.keys(answer.relevant).forEach(function (name) {
          var box = form.querySelector('[data-field="' + name + '"]');
          if (box) box.classList.toggle("skipped", !answer.relevant[name]);
        });
      })
      .catch(function () {});
  }

  form.addEventListener("change", function () {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(refreshRelevance, 300);
  });
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });

  // Draft saved when the page is hidden or left; the version returned keeps the form current.
  function autosave() {
    if (!dirty || submitting || form.querySelector("fieldset[disabled]")) return;
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
