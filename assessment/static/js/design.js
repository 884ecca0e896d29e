// Design page: keep the structured inputs and the JSON in step; live sample sizes and OC curve.
(function () {
  var textarea = document.querySelector("textarea[name=design]");
  var inputs = document.querySelectorAll("[data-design]");
  var lists = document.querySelectorAll("[data-design-list]");
  function read() { try { return JSON.parse(textarea.value); } catch (e) { return null; } }
  function get(obj, path) { return path.split(".").reduce(function (o, k) { return o && o[k]; }, obj); }
  function set(obj, path, value) {
    var keys = path.split("."), last = keys.pop(), o = obj;
    keys.forEach(function (k) { if (typeof o[k] !== "object" || o[k] === null) o[k] = {}; o = o[k]; });
    if (value === null) delete o[last]; else o[last] = value;
  }
  function fill() {
    var design = read();
    if (!design || design.type !== "two-stage") return;
    inputs.forEach(function (el) {
      var v = get(design, el.dataset.design);
      if (el.type === "checkbox") el.checked = !!v; else el.value = v === undefined ? "" : v;
    });
  }
  inputs.forEach(function (el) {
    el.addEventListener("input", function () {
      var design = read() || {type: "two-stage"};
      var value = el.type === "checkbox" ? el.checked : (el.value === "" ? null : Number(el.value));
      set(design, el.dataset.design, value);
      textarea.value = JSON.stringify(design);
    });
  });
  lists.forEach(function (el) {
    var fillList = function () {
      var design = read();
      var v = design && design[el.dataset.designList];
      el.value = Array.isArray(v) ? v.join(", ") : "";
    };
    el.addEventListener("change", function () {
      var design = read() || {type: "two-stage"};
      var keys = el.value.split(/[,，\n]/).map(function (k) { return k.trim(); }).filter(Boolean);
      if (keys.length) design[el.dataset.designList] = keys; else delete design[el.dataset.designList];
      textarea.value = JSON.stringify(design);
    });
    if (textarea) { textarea.addEventListener("change", fillList); fillList(); }
  });
  if (textarea) { textarea.addEventListener("change", fill); fill(); }

  var box = document.getElementById("sizes");
  if (!box) return;
  var texts = document.getElementById("size-texts").dataset;
  function val(name, scale) {
    var el = box.querySelector("[name=" + name + "]");
    return el && el.value !== "" ? String(Number(el.value) / (scale || 1)) : "";
  }
  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function query(params) {
    return Object.keys(params).filter(function (k) { return params[k] !== ""; })
      .map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
  }
  function fetchJSON(params, done) {
    fetch(box.dataset.url + "?" + query(params), {credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(done).catch(function () {});
  }
  function pct(x) { return (100 * x).toFixed(1) + "%"; }
  function drawCurve(points) {
    var svg = document.getElementById("oc-curve"), w = 320, h = 180, pad = 28;
    var maxRate = points[points.length - 1].rate || 0.1;
    var x = function (r) { return pad + (w - 2 * pad) * r / maxRate; };
    var y = function (p) { return h - pad - (h - 2 * pad) * p; };
    var path = points.map(function (p, i) { return (i ? "L" : "M") + x(p.rate).toFixed(1) + "," + y(p.p_accept).toFixed(1); }).join("");
    var ticks = "";
    for (var i = 0; i <= 5; i++) {
      var r = maxRate * i / 5;
      ticks += '<text x="' + x(r) + '" y="' + (h - 10) + '" font-size="9" text-anchor="middle">' + (100 * r).toFixed(1) + '</text>';
    }
    svg.innerHTML = '<line x1="' + pad + '" y1="' + y(0) + '" x2="' + (w - pad) + '" y2="' + y(0) + '" stroke="#999"/>' +
      '<line x1="' + pad + '" y1="' + y(0) + '" x2="' + pad + '" y2="' + y(1) + '" stroke="#999"/>' +
      '<text x="' + (pad - 4) + '" y="' + (y(1) + 3) + '" font-size="9" text-anchor="end">1</text>' +
      '<text x="' + (pad - 4) + '" y="' + (y(0) + 3) + '" font-size="9" text-anchor="end">0</text>' + ticks +
      '<text x="' + (w / 2) + '" y="' + (h - 1) + '" font-size="9" text-anchor="middle">' + texts.axis + '</text>' +
      '<path d="' + path + '" fill="none" stroke="#b4232a" stroke-width="2"/>';
  }
  function update() {
    fetchJSON({kind: "precision", margin: val("margin", 100), confidence: val("confidence", 100),
      anticipated: val("anticipated", 100), deff: val("deff"), population: val("population"),
      nonresponse: val("nonresponse", 100)}, function (data) {
      var el = box.querySelector("[data-result=precision]");
      if (data.error) { el.textContent = data.error; return; }
      var s = data.size;
      el.textContent = format(texts.precision, {n: s.n, resp: s.n_respondents, srs: s.n_srs.toFixed(1), deff: s.deff, fpc: s.n_fpc.toFixed(1)});
    });
    var deffInput = box.querySelector("[name=decision_deff]");
    var deffSource = deffInput && deffInput.dataset.previous && deffInput.value === deffInput.dataset.previous ? "previous_round" : "entered";
    fetchJSON({kind: "decision", threshold: val("threshold", 100), acceptable: val("acceptable", 100),
      alpha: val("alpha", 100), beta: val("beta", 100), population: val("population"),
      deff: val("decision_deff"), deff_source: deffSource}, function (data) {
      var el = box.querySelector("[data-result=decision]");
      if (data.error) { el.textContent = data.error; return; }
      var p = data.plan;
      el.textContent = format(texts.decision, {n: p.n, neff: p.n_effective, deff: p.deff, rate: pct(p.acceptance_rate), d: p.d, pa: pct(p.p_accept_at_threshold), pr: pct(p.p_reject_at_acceptable), model: p.model});
      drawCurve(data.oc);
    });
  }
  var timer;
  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 300); });
  update();
})();
