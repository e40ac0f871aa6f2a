/* The annual report's charts, on its web page and in the print HTML that Chromium turns into the PDF
 * (data-print="true": static drawings without fill patterns). The figures come from the JSON the server
 * puts in the page (<script type="application/json" id="report-figures">). Loaded as a file, never inline,
 * so the page runs under a Content-Security-Policy without inline script. */
var reportChartsScript = document.currentScript;
function drawReportCharts() {
  "use strict";
  var figures = JSON.parse(document.getElementById("report-figures").textContent);
  var print = reportChartsScript ? reportChartsScript.getAttribute("data-print") === "true" : false;
  var nodes = document.querySelectorAll("[data-report-chart]");
  var drawing = [];
  window.reportChartsDone = false;
  if (typeof Plotly === "undefined") { window.reportChartsDone = true; return; }
  nodes.forEach(function (node) {
    var figure = figures[node.getAttribute("data-report-chart")];
    if (!figure) { return; }
    var layout = Object.assign({}, figure.layout);
    var data = figure.data;
    if (print) {
      // Fill patterns become megabytes of tiles in a PDF; in print the bars keep their Okabe–Ito colours
      // and value labels, and the table under each chart gives the same figures.
      data = data.map(function (trace) {
        if (!trace.marker || !trace.marker.pattern) { return trace; }
        var marker = Object.assign({}, trace.marker);
        delete marker.pattern;
        return Object.assign({}, trace, {marker: marker});
      });
    }
    if (print) { layout.width = node.clientWidth || 680; layout.autosize = false; }
    // The matrix's department numbers are placed for two plot sizes (reports/charts.py, place_numbers):
    // drawn narrower than meta.matrix.wide_from px, the narrow plot's.
    var matrix = (layout.meta || {}).matrix;
    if (matrix && matrix.narrow && (layout.width || node.clientWidth) < matrix.wide_from) {
      layout.annotations = (layout.annotations || []).filter(function (a) {
        return !(a.meta && a.meta.number);
      }).concat(matrix.narrow);
    }
    drawing.push(Plotly.newPlot(node, data, layout, {
      displayModeBar: false, responsive: !print, staticPlot: print, locale: document.documentElement.lang
    }));
  });
  Promise.all(drawing).then(function () { window.reportChartsDone = true; },
                             function () { window.reportChartsDone = true; });
}
if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawReportCharts); }
else { drawReportCharts(); }
