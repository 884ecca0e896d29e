// Upload forms marked data-progress: send with XHR to show upload progress, then show the answer.
(function () {
  document.querySelectorAll("form[data-progress]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) return;  // plain submit still works
      event.preventDefault();
      var box = document.getElementById(form.dataset.progress);
      var bar = box.querySelector(".progress > span");
      var text = box.querySelector("p");
      box.hidden = false;
      text.textContent = text.dataset.uploading;
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) bar.style.width = Math.round(100 * e.loaded / e.total) + "%";
      };
      xhr.upload.onload = function () { bar.style.width = "100%"; text.textContent = text.dataset.processing; box.classList.add("busy"); };
      xhr.onload = function () {
        if (xhr.responseURL && xhr.responseURL !== window.location.href && xhr.status < 400) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open(); document.write(xhr.responseText); document.close();
      };
      xhr.onerror = function () { form.submit(); };
      xhr.send(new FormData(form));
    });
  });
})();
