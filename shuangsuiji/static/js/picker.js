/*
 * 标签选择（issue 18）：勾选即可，不必按住 Ctrl。有脚本时，列表上方显示一个筛选框：输入文字后只显示名称含该文字的标签，
 * 已勾选的始终显示；在筛选框中按回车不提交表单。没有脚本时，筛选框不出现，勾选列表照常可用。
 */
(function () {
  'use strict';

  function setUp(box) {
    var filter = box.querySelector('.picker-filter');
    var labels = Array.prototype.slice.call(box.querySelectorAll('.picker-list label'));
    if (!filter || !labels.length) return;
    filter.hidden = false;
    filter.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') e.preventDefault();
    });
    filter.addEventListener('input', function () {
      var q = filter.value.trim().toLowerCase();
      labels.forEach(function (label) {
        var box = label.querySelector('input');
        label.hidden = !(q === '' || box.checked || label.textContent.toLowerCase().indexOf(q) !== -1);
      });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('[data-picker]'), setUp);
  });
})();
