/* Offramp Exchange: small enhancements only; every page works without this file.
   - Clean addresses: the search form leaves out empty fields and the default sort,
     so the address is exactly the API's query string (the server accepts both).
   - Finders: above a long list of checkboxes (`data-finder="<label>"`: the region
     tree, vocabulary pickers), a text box that shows only the matching items and
     unfolds the branches that hold them. */
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
})();
