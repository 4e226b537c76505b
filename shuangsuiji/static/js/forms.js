/* Forms that guide (issue 18), on top of plain HTML that works without this file:
   - the error summary at the top takes the focus; its links focus the field they name;
   - [data-show-when="control:value value2"] shows a part only while the form's control has one
     of those values (the server ignores what a hidden part holds);
   - input[data-filter] filters a long list of choices as one types (name or code);
   - input[data-picker] (a text field with a <datalist>) becomes a list of chosen entries with a
     search box; the field itself keeps the chosen codes, separated by 、, as the server reads them;
   - #kinds-from-items says which target types the chosen items give. */
(function () {
  "use strict";
  if (window.ssjForms) return;
  window.ssjForms = true;

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  function firstControl(row) {
    return row && row.querySelector("input:not([type=hidden]):not([hidden]), select, textarea");
  }

  function errorSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (ev) {
      var a = ev.target.closest("a[href^='#']");
      if (!a) return;
      var row = document.getElementById(a.getAttribute("href").slice(1));
      if (!row) return;
      ev.preventDefault();
      row.querySelectorAll("details").forEach(function (d) { d.open = true; });
      row.scrollIntoView({ block: "center" });
      var control = firstControl(row);
      if (control) control.focus({ preventScroll: true });
    });
  }

  function showWhen() {
    var parts = document.querySelectorAll("[data-show-when]");
    if (!parts.length) return;
    function sync() {
      parts.forEach(function (el) {
        var spec = el.getAttribute("data-show-when").split(":");
        var form = el.closest("form");
        var control = form && form.elements[spec[0]];
        if (!control) return;
        el.hidden = spec[1].split(" ").indexOf(control.value) < 0;
      });
    }
    document.addEventListener("change", sync);
    sync();
  }

  function filters() {
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      var box = document.querySelector(input.getAttribute("data-filter"));
      if (!box) return;
      input.hidden = false;
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase();
        box.querySelectorAll("label").forEach(function (label) {
          label.hidden = q !== "" && label.textContent.toLowerCase().indexOf(q) < 0;
        });
        box.querySelectorAll("details").forEach(function (d) {
          if (q !== "" && d.querySelector("label:not([hidden])")) d.open = true;
        });
      });
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") ev.preventDefault(); // never submits the form
      });
    });
  }

  var SPLIT = /[,，、;；\s]+/;

  function picker(field) {
    var list = document.getElementById(field.getAttribute("list"));
    var options = list ? Array.prototype.map.call(list.options, function (o) { return o.value; }) : [];
    var label = document.querySelector("label[for='" + field.id + "']");
    var chosen = [];
    var box = document.createElement("div");
    box.className = "picker";
    var chips = document.createElement("ul");
    chips.className = "chips";
    chips.setAttribute("aria-label", "已选择");
    var search = document.createElement("input");
    search.type = "search";
    search.id = field.id + "_search";
    search.setAttribute("list", field.getAttribute("list"));
    search.setAttribute("autocomplete", "off");
    search.placeholder = "输入名称或代码，从列表中选择";
    if (label) label.setAttribute("for", search.id);
    box.appendChild(chips);
    box.appendChild(search);
    field.parentNode.insertBefore(box, field);
    field.hidden = true;
    field.removeAttribute("list");

    function code(text) { return text.split(" ")[0]; }
    function labelOf(text) {
      var c = code(text);
      for (var i = 0; i < options.length; i++) if (code(options[i]) === c) return options[i];
      return text;
    }
    function render() {
      chips.textContent = "";
      chosen.forEach(function (text, i) {
        var li = document.createElement("li");
        li.textContent = labelOf(text) + " ";
        var x = document.createElement("button");
        x.type = "button";
        x.className = "link";
        x.textContent = "移除";
        x.setAttribute("aria-label", "移除 " + labelOf(text));
        x.addEventListener("click", function () {
          chosen.splice(i, 1);
          render();
          search.focus();
        });
        li.appendChild(x);
        chips.appendChild(li);
      });
      field.value = chosen.map(code).join("、");
    }
    function add(text) {
      text = text.trim();
      if (!text) return;
      var value = options.indexOf(text) >= 0 ? code(text) : text; // a typed name: the server reads it
      if (chosen.map(code).indexOf(code(value)) < 0) chosen.push(value);
      search.value = "";
      render();
    }
    // the field's value as the server rendered it: "62 餐饮业、130110100 获鹿镇" or typed text
    var CODE = /^[0-9A-Za-z]+$/;
    (field.value || "").split(/[,，、;；]+/).forEach(function (part) {
      var t = part.trim().split(SPLIT).filter(Boolean);
      if (t.length === 2 && CODE.test(t[0]) && !CODE.test(t[1])) chosen.push(t[0]); // "62 餐饮业"
      else t.forEach(function (x) { chosen.push(x); });
    });
    render();
    search.addEventListener("input", function () {
      if (options.indexOf(search.value) >= 0) add(search.value); // picked from the list
    });
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        add(search.value);
      }
    });
    search.addEventListener("change", function () { add(search.value); });
  }

  function kindsFromItems() {
    var hint = document.getElementById("kinds-from-items");
    if (!hint) return;
    function sync() {
      var kinds = [];
      document.querySelectorAll("input[name=items]:checked").forEach(function (box) {
        (box.getAttribute("data-kinds") || "").split(" ").forEach(function (k) {
          if (k && kinds.indexOf(k) < 0) kinds.push(k);
        });
      });
      var any = document.querySelector("input[name=scope_kinds]:checked");
      hint.hidden = !!any || !document.querySelector("input[name=items]:checked");
      hint.textContent = kinds.length
        ? "未勾选对象类型：将按所选事项取为 " + kinds.join("、")
        : "未勾选对象类型，所选事项也未规定检查对象类型：对象池将包含全部类型的对象";
    }
    document.addEventListener("change", sync);
    sync();
  }

  ready(function () {
    errorSummary();
    showWhen();
    filters();
    document.querySelectorAll("input[data-picker]").forEach(picker);
    kindsFromItems();
  });
})();
