// Filters (text and @tags, status) live in the URL query so a filtered view can be shared; the hash is a deep link.
(function () {
  "use strict";
  var textBox = document.getElementById("filter-text");
  var statusBox = document.getElementById("filter-status");
  var summary = document.getElementById("filter-summary");
  var scenarios = Array.prototype.slice.call(document.querySelectorAll("details.scenario"));
  var features = Array.prototype.slice.call(document.querySelectorAll("section.feature"));

  function tokens() {
    var words = textBox.value.toLowerCase().split(/\s+/).filter(Boolean);
    return {
      tags: words.filter(function (w) { return w.charAt(0) === "@"; }),
      text: words.filter(function (w) { return w.charAt(0) !== "@"; })
    };
  }

  function statusMatches(status, wanted) {
    if (!wanted) return true;
    if (wanted === "not-passed") return status !== "passed";
    return status === wanted;
  }

  function tagsOf(element) {
    return (element.getAttribute("data-tags") || "").toLowerCase().split(" ").filter(Boolean);
  }

  function apply() {
    var t = tokens();
    var wanted = statusBox.value;
    var active = t.tags.length > 0 || t.text.length > 0 || wanted !== "";
    var shown = 0;
    scenarios.forEach(function (scenario) {
      var own = tagsOf(scenario);
      var missing = t.tags.filter(function (tag) { return own.indexOf(tag) < 0; });
      var examples = Array.prototype.slice.call(scenario.querySelectorAll(".examples"));
      var anyExamples = false;
      examples.forEach(function (block) {
        var blockTags = tagsOf(block);
        var ok = missing.every(function (tag) { return blockTags.indexOf(tag) >= 0; });
        block.hidden = !ok;
        anyExamples = anyExamples || ok;
      });
      var tagsOk = missing.length === 0 || anyExamples;
      var text = scenario.getAttribute("data-text") || "";
      var textOk = t.text.every(function (w) { return text.indexOf(w) >= 0; });
      var visible = tagsOk && textOk && statusMatches(scenario.getAttribute("data-status"), wanted);
      scenario.hidden = !visible;
      if (visible) shown++;
    });
    features.forEach(function (feature) {
      var any = feature.querySelector("details.scenario:not([hidden])") !== null;
      var broken = feature.classList.contains("broken");
      feature.hidden = active && !any && !(broken && t.tags.length === 0 && wanted === "");
      feature.querySelectorAll("section.rule").forEach(function (rule) {
        rule.hidden = active && rule.querySelector("details.scenario:not([hidden])") === null;
      });
      var entry = document.querySelector('li.tree-feature[data-feature="' + feature.id + '"]');
      if (entry) entry.hidden = feature.hidden;
    });
    document.querySelectorAll(".area-block").forEach(function (block) {
      block.hidden = block.querySelector("section.feature:not([hidden])") === null;
    });
    document.querySelectorAll("li.area").forEach(function (area) {
      area.hidden = area.querySelector("li.tree-feature:not([hidden])") === null;
    });
    document.querySelectorAll("button.tag").forEach(function (button) {
      button.classList.toggle("active", t.tags.indexOf((button.getAttribute("data-tag") || "").toLowerCase()) >= 0);
    });
    summary.textContent = active ? shown + " of " + scenarios.length + " scenarios match the filter." : "";
    saveState();
  }

  function saveState() {
    var params = new URLSearchParams();
    if (textBox.value.trim()) params.set("q", textBox.value.trim());
    if (statusBox.value) params.set("status", statusBox.value);
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    try { history.replaceState(null, "", url); } catch (e) { /* some viewers forbid it; the filter still works */ }
  }

  function loadState() {
    var params = new URLSearchParams(location.search);
    textBox.value = params.get("q") || "";
    statusBox.value = params.get("status") || "";
  }

  function toggleTag(tag) {
    var words = textBox.value.split(/\s+/).filter(Boolean);
    var lower = tag.toLowerCase();
    var without = words.filter(function (w) { return w.toLowerCase() !== lower; });
    textBox.value = (without.length === words.length ? words.concat([tag]) : without).join(" ");
    apply();
  }

  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    if (!target) return;
    if (target.closest("[hidden]")) { textBox.value = ""; statusBox.value = ""; apply(); }
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    document.querySelectorAll(".targeted").forEach(function (e) { e.classList.remove("targeted"); });
    target.classList.add("targeted");
    document.querySelectorAll("li.tree-feature.current").forEach(function (e) { e.classList.remove("current"); });
    var feature = target.closest("section.feature");
    if (feature) {
      var entry = document.querySelector('li.tree-feature[data-feature="' + feature.id + '"]');
      if (entry) entry.classList.add("current");
    }
    target.scrollIntoView({ block: "start" });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.tag");
    if (button) {
      event.preventDefault();
      toggleTag(button.getAttribute("data-tag"));
    }
  });
  textBox.addEventListener("input", apply);
  statusBox.addEventListener("change", apply);
  document.getElementById("filter-clear").addEventListener("click", function () {
    textBox.value = ""; statusBox.value = ""; apply();
  });
  window.addEventListener("hashchange", reveal);
  loadState();
  apply();
  reveal();
})();
