// Behaviour every page shares, kept out of the markup so the Content-Security-Policy can
// forbid inline script and style attributes.
(function () {
  "use strict";
  function init() {
    // Progress bars: the width comes from data-width (0-100), set through the CSSOM.
    document.querySelectorAll(".progress > span[data-width]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0));
      bar.style.width = value + "%";
    });
    // Selects marked data-autosubmit send their form when changed.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
