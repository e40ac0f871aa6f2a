/* The round page's curve of submissions per day, from the JSON the server puts in the page
 * (<script type="application/json" id="submission-curve-data">), with the local plotly-cartesian.min.js. */
(function () {
  "use strict";
  var source = document.getElementById("submission-curve-data");
  var target = document.getElementById("submission-curve");
  if (!source || !target || typeof Plotly === "undefined") { return; }
  var figure = JSON.parse(source.textContent);
  var locale = (document.documentElement.lang || "sv").toLowerCase().indexOf("en") === 0 ? "en" : "sv";
  Plotly.newPlot(target, figure.data, figure.layout, {displayModeBar: false, responsive: true, locale: locale});
})();
