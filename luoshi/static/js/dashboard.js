/* Dashboards: draw the ECharts charts from the page's JSON data island (#dashboard-data).
 *
 * No inline script and no style attribute anywhere (strict CSP): the numbers and the translated
 * labels come in a <script type="application/json"> rendered by Django's json_script, sizes in
 * css/dashboard.css. ECharts styles its own elements through the CSSOM, which the CSP allows;
 * tooltips render as rich text on the canvas (an HTML tooltip would carry style attributes).
 */
(function () {
  "use strict";

  var LIGHTS = ["red", "yellow", "green", "grey"];
  var COLORS = { red: "#dc2626", yellow: "#f59e0b", green: "#16a34a", grey: "#9ca3af" };
  var BLUE = "#1677ff";
  var ROW_HEIGHT = 30;

  // The text screen readers get for each chart: written by the server in the page's language
  // (ECharts' own description would be in its built-in locale and may read "NaN").
  var descriptions = {};

  function base(labels, id) {
    return {
      // Patterns as well as colours, and a description for screen readers: never colour alone.
      aria: { enabled: true, decal: { show: true }, label: { description: descriptions[id] || labels.no_data } },
      animationDuration: 300,
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText", confine: true }
    };
  }

  function empty(el, labels) {
    el.textContent = labels.no_data;
    el.setAttribute("aria-label", labels.no_data);
    el.classList.add("ls-chart-empty");
    return null;
  }

  function fitRows(el, count) {
    // Horizontal bars: one row per unit or key point, so the box grows with the rows.
    var height = Math.max(220, count * ROW_HEIGHT + 90);
    el.style.height = height + "px"; // CSSOM, not an attribute: allowed by the CSP
  }

  function init(el) {
    return window.echarts.init(el, null, { renderer: "canvas" });
  }

  // Stacked horizontal bars: tasks by light for each row (units, key points).
  function lightsChart(id, rows, labels) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    if (!rows.length) { return empty(el, labels); }
    fitRows(el, rows.length);
    var chart = init(el);
    var option = base(labels, id);
    option.legend = { type: "scroll", top: 0, data: LIGHTS.map(function (l) { return labels.lights[l]; }) };
    option.grid = { left: 8, right: 24, top: 36, bottom: 8, containLabel: true };
    option.xAxis = { type: "value", minInterval: 1 };
    option.yAxis = {
      type: "category",
      inverse: true,
      data: rows.map(function (r) { return r.label; }),
      axisLabel: { width: 180, overflow: "truncate" }
    };
    option.series = LIGHTS.map(function (light) {
      return {
        name: labels.lights[light],
        type: "bar",
        stack: "lights",
        barMaxWidth: 22,
        itemStyle: { color: COLORS[light] },
        emphasis: { focus: "series" },
        data: rows.map(function (r) { return r[light]; })
      };
    });
    chart.setOption(option);
    var links = rows.map(function (r) { return r.url || ""; });
    if (links.some(Boolean)) {
      el.classList.add("ls-chart-clickable");
      chart.on("click", function (params) {
        var url = links[params.dataIndex];
        if (url) { window.location.assign(url); }
      });
    }
    return chart;
  }

  // Bars: completion rate (%) for each leader in charge.
  function rateChart(id, rows, labels) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    if (!rows.length) { return empty(el, labels); }
    var chart = init(el);
    var option = base(labels, id);
    option.grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };
    option.xAxis = {
      type: "category",
      data: rows.map(function (r) { return r.label; }),
      axisLabel: { interval: 0, width: 90, overflow: "truncate" }
    };
    option.yAxis = { type: "value", min: 0, max: 100, name: labels.completion_rate };
    option.tooltip.formatter = function (params) {
      var row = rows[params[0].dataIndex];
      return row.label + "\n" + labels.completion_rate + ": " + (row.rate === null ? "—" : row.rate) +
        "\n" + labels.completed + ": " + row.completed + " / " + row.total;
    };
    option.series = [{
      name: labels.completion_rate,
      type: "bar",
      barMaxWidth: 36,
      itemStyle: { color: BLUE },
      label: { show: true, position: "top", formatter: "{c}%" },
      data: rows.map(function (r) { return r.rate === null ? 0 : r.rate; })
    }];
    chart.setOption(option);
    return chart;
  }

  // Lines: tasks due and tasks completed in each of the last 12 months.
  function trendChart(id, trend, labels) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    if (!trend.months.length) { return empty(el, labels); }
    var chart = init(el);
    var option = base(labels, id);
    option.tooltip = { trigger: "axis", renderMode: "richText", confine: true };
    option.legend = { type: "scroll", top: 0, data: [labels.due, labels.completed_in_month] };
    option.grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
    option.xAxis = { type: "category", boundaryGap: false, data: trend.months };
    option.yAxis = { type: "value", minInterval: 1, name: labels.tasks };
    option.series = [
      { name: labels.due, type: "line", symbol: "circle", itemStyle: { color: "#6b7280" }, data: trend.due },
      {
        name: labels.completed_in_month,
        type: "line",
        symbol: "triangle",
        symbolSize: 8,
        itemStyle: { color: BLUE },
        areaStyle: { opacity: 0.08 },
        data: trend.completed
      }
    ];
    chart.setOption(option);
    return chart;
  }

  function draw() {
    var island = document.getElementById("dashboard-data");
    if (!island || !window.echarts) { return; }
    var data = JSON.parse(island.textContent);
    var labels = data.labels;
    descriptions = data.descriptions || {};
    var charts = [
      lightsChart("chart-by-unit", data.by_unit, labels),
      rateChart("chart-by-leader", data.by_leader, labels),
      lightsChart("chart-by-key-point", data.by_key_point, labels),
      trendChart("chart-trend", data.trend, labels)
    ].filter(Boolean);
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
