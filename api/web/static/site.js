/* Offramp Exchange: small enhancements only; every page works without this file.
   - Clean addresses: the search form leaves out empty fields and the default sort,
     so the address is exactly the API's query string (the server accepts both).
   - Region finder: a text box above the region tree that shows only the places
     whose name matches, unfolding their branches. */
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
  var facet = document.getElementById("facet-region");
  var tree = facet && facet.querySelector(".tree-root");
  if (!tree) return;
  var lang = document.documentElement.lang;
  var labels = { en: "Find a region or country", fr: "Trouver une région ou un pays" };
  var id = "region-finder";
  var label = document.createElement("label");
  label.htmlFor = id;
  label.className = "visually-hidden";
  label.textContent = labels[lang] || labels.en;
  var input = document.createElement("input");
  input.type = "search";
  input.id = id;
  input.className = "region-finder";
  input.placeholder = labels[lang] || labels.en;
  input.autocomplete = "off";
  tree.parentNode.insertBefore(label, tree);
  tree.parentNode.insertBefore(input, tree);

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function filter(item, needle) {
    var own = item.querySelector(":scope > .check label");
    var name = own ? fold(own.firstChild.textContent) : "";
    var children = item.querySelectorAll(":scope > details > .tree > li");
    var childMatch = false;
    children.forEach(function (child) { if (filter(child, needle)) childMatch = true; });
    var match = !needle || name.indexOf(needle) !== -1 || childMatch;
    item.hidden = !match;
    var details = item.querySelector(":scope > details");
    if (details && needle) details.open = childMatch;
    return match;
  }
  input.addEventListener("input", function () {
    var needle = fold(input.value.trim());
    tree.querySelectorAll(":scope > li").forEach(function (item) { filter(item, needle); });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") event.preventDefault();
  });
})();
