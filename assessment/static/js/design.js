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
  function esc(text) { return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;"); }
  function svgText(x, y, text, attrs) {
    return '<text x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" font-size="11" ' + (attrs || 'text-anchor="middle"') + '>' + esc(text) + '</text>';
  }
  // The OC curve: P(pass) against the true rate, the threshold and the acceptable rate marked,
  // the chosen n and d in the title, both axes named.
  function drawCurve(points, plan) {
    var svg = document.getElementById("oc-curve"), w = 360, h = 240, left = 44, right = 12, top = 24, bottom = 40;
    var maxRate = points[points.length - 1].rate || 0.1;
    var x = function (r) { return left + (w - left - right) * r / maxRate; };
    var y = function (p) { return h - bottom - (h - top - bottom) * p; };
    var path = points.map(function (p, i) { return (i ? "L" : "M") + x(p.rate).toFixed(1) + "," + y(p.p_accept).toFixed(1); }).join("");
    var out = '<line x1="' + left + '" y1="' + y(0) + '" x2="' + (w - right) + '" y2="' + y(0) + '" stroke="#999"/>' +
      '<line x1="' + left + '" y1="' + y(0) + '" x2="' + left + '" y2="' + y(1) + '" stroke="#999"/>';
    for (var i = 0; i <= 5; i++) {
      var r = maxRate * i / 5;
      out += svgText(x(r), y(0) + 14, (100 * r).toFixed(1).replace(/\.0$/, ""));
    }
    [0, 0.5, 1].forEach(function (p) { out += svgText(left - 4, y(p) + 3, (100 * p) + "%", 'text-anchor="end"'); });
    [[plan.threshold, texts.thresholdLabel, "#b4232a"], [plan.acceptable, texts.acceptableLabel, "#2e7d32"]].forEach(function (m, k) {
      if (m[0] > maxRate) return;
      out += '<line x1="' + x(m[0]).toFixed(1) + '" y1="' + y(0) + '" x2="' + x(m[0]).toFixed(1) + '" y2="' + y(1) + '" stroke="' + m[2] + '" stroke-dasharray="3,3"/>' +
        svgText(x(m[0]) + 3, y(1) + 12 + 14 * k, m[1], 'text-anchor="start" fill="' + m[2] + '"');
    });
    out += svgText(w / 2, 14, format(texts.chartTitle, {n: plan.n, d: plan.d}), 'text-anchor="middle" font-weight="bold"') +
      svgText((left + w - right) / 2, h - 6, texts.axis) +
      '<text x="10" y="' + ((top + h - bottom) / 2) + '" font-size="11" text-anchor="middle" transform="rotate(-90 10 ' + ((top + h - bottom) / 2) + ')">' + esc(texts.yAxis) + '</text>' +
      '<path d="' + path + '" fill="none" stroke="#1f4e79" stroke-width="2"/>';
    svg.innerHTML = out;
  }
  // How the decision's n compares with the exited households the design above would draw.
  function linkToDesign(plan) {
    var el = box.querySelector("[data-result=design-link]");
    if (!el) return;
    var design = read(), villages = 0, per = 0;
    if (design && design.type === "two-stage") {
      Object.keys(design.villages || {}).forEach(function (k) { villages += Number(design.villages[k]) || 0; });
      per = Number((design.households_per_village || {}).exited) || 0;
    }
    var drawn = villages * per;
    el.textContent = format(drawn >= plan.n ? texts.designEnough : texts.designShort,
      {n: plan.n, drawn: drawn, villages: villages, per: per});
  }
  var lastPlan = null;
  if (textarea) textarea.addEventListener("input", function () { if (lastPlan) linkToDesign(lastPlan); });
  inputs.forEach(function (el) { el.addEventListener("input", function () { if (lastPlan) linkToDesign(lastPlan); }); });
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
      if (data.error) {
        el.textContent = data.error;
        document.getElementById("oc-curve").innerHTML = "";
        box.querySelector("[data-result=design-link]").textContent = "";
        return;
      }
      var p = data.plan;
      el.textContent = format(texts.decision, {n: p.n, neff: p.n_effective, deff: p.deff, rate: pct(p.acceptance_rate), d: p.d, pa: pct(p.p_accept_at_threshold), pr: pct(p.p_reject_at_acceptable), model: data.model_label});
      drawCurve(data.oc, p);
      linkToDesign(p);
      lastPlan = p;
    });
  }
  var timer;
  box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 300); });
  update();
})();
