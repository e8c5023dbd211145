/* The dashboards' charts: a small spec from the server (reports/dashboard.py, Chart.spec)
   turned into an Apache ECharts option. Shared by the dashboard page and the 大屏.
   No inline script anywhere (the Content-Security-Policy allows none without a nonce):
   the data comes in a <script type="application/json"> block, read with JSON.parse. */
(function (global) {
  "use strict";

  var PALETTE = ["#2f6fbf", "#e8772e", "#2a9d6f", "#c94f7c", "#7b61c9", "#c9a227",
    "#3fa7c4", "#8c6d4f", "#d24d3e", "#6b8e23", "#999999"];

  function isDark() {
    return global.matchMedia && global.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function textColour(dark) { return dark ? "#d8dee9" : "#333333"; }

  function number(value, unit) {
    if (value === null || value === undefined) return "—";
    var rounded = Math.abs(value - Math.round(value)) < 1e-9 ? Math.round(value) : Math.round(value * 10) / 10;
    return rounded.toLocaleString("zh-CN") + (unit || "");
  }

  function base(spec, dark) {
    return {
      backgroundColor: "transparent",
      color: PALETTE,
      animation: false, // printing and screenshots see the final picture
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" },
      tooltip: {
        trigger: spec.kind === "pie" || spec.kind === "funnel" || spec.kind === "heatmap" ? "item" : "axis",
        valueFormatter: function (v) { return number(v, spec.unit); },
        confine: true
      },
      grid: { left: 8, right: spec.kind === "hbar" ? 56 : 24, top: spec.series.length > 1 ? 36 : 16, bottom: 8, containLabel: true }
    };
  }

  function legend(spec, dark) {
    return spec.series.length > 1
      ? { type: "scroll", top: 0, textStyle: { color: textColour(dark) } }
      : { show: false };
  }

  function optionFor(spec, dark) {
    var option = base(spec, dark);
    var axisLabel = { color: textColour(dark), hideOverlap: true };
    var splitLine = { lineStyle: { color: dark ? "#3b4252" : "#e5e5e5" } };
    var kind = spec.kind;
    if (kind === "pie") {
      var pieData = spec.categories.map(function (name, i) {
        return { name: name, value: spec.series[0].data[i] };
      }).filter(function (d) { return d.value; });
      option.legend = { type: "scroll", bottom: 0, textStyle: { color: textColour(dark) } };
      option.series = [{
        type: "pie", radius: ["38%", "66%"], center: ["50%", "45%"], data: pieData,
        label: { color: textColour(dark), formatter: "{b}\n{c}" },
        itemStyle: { borderColor: dark ? "#1e222a" : "#fff", borderWidth: 1 }
      }];
      return option;
    }
    if (kind === "funnel") {
      // Labels beside the funnel: a narrow last step cannot hold its words inside.
      option.series = [{
        type: "funnel", sort: "none", left: "4%", width: "52%", top: 8, bottom: 8, minSize: "8%",
        data: spec.categories.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; }),
        label: { position: "right", color: textColour(dark), formatter: function (p) { return p.name + "：" + number(p.value); } },
        labelLine: { show: true, length: 12 },
        itemStyle: { borderWidth: 0 }
      }];
      return option;
    }
    if (kind === "heatmap") {
      var cells = [];
      var max = 0;
      spec.series[0].data.forEach(function (row, y) {
        row.forEach(function (value, x) { cells.push([x, y, value]); if (value > max) max = value; });
      });
      option.grid = { left: 8, right: 16, top: 8, bottom: 48, containLabel: true };
      option.heightFor = 72 + 30 * spec.rows.length; // a row per area, whatever their number
      option.xAxis = { type: "category", data: spec.categories, axisLabel: axisLabel, splitArea: { show: true } };
      option.yAxis = { type: "category", data: spec.rows, inverse: true, axisLabel: axisLabel };
      option.visualMap = {
        min: 0, max: max || 1, calculable: true, orient: "horizontal", left: "center", bottom: 0,
        itemHeight: 120, textStyle: { color: textColour(dark) },
        inRange: { color: dark ? ["#1e2a38", "#f6c344", "#ff6b3d"] : ["#f7fbff", "#6baed6", "#08306b"] }
      };
      option.series = [{ type: "heatmap", data: cells, label: { show: false } }];
      return option;
    }
    var horizontal = kind === "hbar";
    var categoryAxis = {
      type: "category", data: spec.categories, axisLabel: axisLabel,
      inverse: horizontal, axisTick: { alignWithLabel: true }
    };
    var valueAxis = {
      type: "value", axisLabel: { color: textColour(dark), formatter: function (v) { return number(v, spec.unit); } },
      splitLine: splitLine, minInterval: spec.unit === "%" ? 0 : 1 // no 0.2 of a person
    };
    option.xAxis = horizontal ? valueAxis : categoryAxis;
    option.yAxis = horizontal ? categoryAxis : valueAxis;
    option.legend = legend(spec, dark);
    option.series = spec.series.map(function (s) {
      return {
        name: s.name,
        type: kind === "line" ? "line" : "bar",
        stack: kind === "stacked" ? "total" : undefined,
        data: s.data,
        smooth: kind === "line",
        barMaxWidth: 28,
        label: horizontal && spec.series.length === 1
          ? { show: true, position: "right", color: textColour(dark), formatter: function (p) { return number(p.value, spec.unit); } }
          : { show: false }
      };
    });
    return option;
  }

  /* Draw `spec` in `element`; a click on a category with a link opens it (drill-down). */
  function draw(element, spec) {
    var dark = isDark();
    var option = optionFor(spec, dark);
    if (option.heightFor) {
      element.style.height = option.heightFor + "px"; // set through the DOM, not inline markup
      delete option.heightFor;
    }
    var chart = global.echarts.init(element, dark ? "dark" : null, { renderer: "svg" });
    chart.setOption(option);
    if (spec.links && spec.links.length) {
      element.classList.add("drillable");
      chart.on("click", function (params) {
        var index = spec.kind === "heatmap" ? params.value[1] : params.dataIndex;
        var link = spec.links[index];
        if (link) global.location.href = link;
      });
    }
    return chart;
  }

  global.WarmCharts = { draw: draw, optionFor: optionFor, isDark: isDark, number: number, palette: PALETTE };
})(window);
