/* Offramp Exchange: small enhancements only; every page works without this file.
   - Clean addresses: the search form leaves out empty fields and the default sort,
     so the address is exactly the API's query string (the server accepts both).
   - Finders: above a long list of checkboxes (`data-finder="<label>"`: the region
     tree, vocabulary pickers), a text box that shows only the matching items and
     unfolds the branches that hold them.
   - Upload progress: a document form (`data-upload`) posts through XMLHttpRequest
     to show a progress bar; the server's answer is shown as it would be without
     this script (the documents page, or its error at the file input). */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (form) {
    form.addEventListener("formdata", function (event) {
      var data = event.formData;
      var empty = [];
      data.forEach(function (value, name) { if (value === "") empty.push(name); });
      empty.forEach(function (name) { data.delete(name); });
      if (data.get("sort") === "relevance") data.delete("sort");
    });
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function filter(item, needle) {
    var own = item.querySelector(":scope > .check label, :scope > label");
    var name = own ? fold(own.firstChild.textContent) : "";
    var childMatch = false;
    item.querySelectorAll(":scope > details > ul > li").forEach(function (child) {
      if (filter(child, needle)) childMatch = true;
    });
    var match = !needle || name.indexOf(needle) !== -1 || childMatch;
    item.hidden = !match;
    var details = item.querySelector(":scope > details");
    if (details && needle) details.open = childMatch;
    return match;
  }

  document.querySelectorAll("[data-finder]").forEach(function (container, index) {
    var list = container.querySelector("ul");
    if (!list) return;
    var id = "finder-" + index;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.className = "visually-hidden";
    label.textContent = container.getAttribute("data-finder");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "finder";
    input.placeholder = label.textContent;
    input.autocomplete = "off";
    list.parentNode.insertBefore(label, list);
    list.parentNode.insertBefore(input, list);
    input.addEventListener("input", function () {
      var needle = fold(input.value.trim());
      list.querySelectorAll(":scope > li").forEach(function (item) { filter(item, needle); });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  });

  document.querySelectorAll("form[data-upload]").forEach(function (upload) {
    var bar = upload.querySelector(".upload-progress");
    if (!bar || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
    upload.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", upload.action);
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) bar.value = Math.round(100 * progress.loaded / progress.total);
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400) {
          window.location.assign(xhr.responseURL);
          return;
        }
        // The refusal: the server's page, its main content swapped in.
        var answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var main = answer.querySelector("main");
        if (!main) { window.location.reload(); return; }
        document.querySelector("main").innerHTML = main.innerHTML;
        var summary = document.querySelector(".error-summary");
        if (summary) summary.focus();
      });
      xhr.addEventListener("error", function () { upload.submit(); });
      xhr.send(new FormData(upload));
    });
  });
})();
