/* Draws the dashboards' plotly figures from the JSON that the server puts in the page
 * (<div data-figure="ID"> + <script type="application/json" id="ID">), with the local plotly-cartesian.min.js.
 * No plotly toolbar (it lay over the values in the chart's top corner): two buttons under each chart save it
 * as PNG or SVG. Also makes tables with class js-sortable sortable. */
(function () {
  "use strict";

  /* Swedish month names and separators (static/js/plotly-locale-sv.js) unless the page is in English. */
  function plotlyLocale() {
    return (document.documentElement.lang || "sv").toLowerCase().indexOf("en") === 0 ? "en" : "sv";
  }
  var script = document.getElementById("charts-script");
  var pngLabel = (script && script.dataset.pngLabel) || "Download as PNG";
  var svgLabel = (script && script.dataset.svgLabel) || "Download as SVG";

  /* The server escapes every name (& < > as entities, see reports/charts.py); shorten the text itself and
   * escape it again, so that an entity is never cut in half and no markup can appear. */
  function unescape(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function shorten(text, length) {
    var plain = unescape(String(text).replace(/<[^>]*>/g, ""));
    var marked = plain.indexOf("▶") === 0;
    if (plain.length > length) plain = plain.slice(0, length - 1) + "…";
    return marked ? "<b>" + escape(plain) + "</b>" : escape(plain);
  }

  /* The maturity matrix's department numbers are placed on the server for two plot sizes: below
   * meta.matrix.wide_from px the numbers of the narrow plot (reports/charts.py, place_numbers). */
  function narrowMatrix(figure, width) {
    var matrix = (figure.layout.meta || {}).matrix;
    if (!matrix || !matrix.narrow || width >= matrix.wide_from) return;
    figure.layout.annotations = (figure.layout.annotations || []).filter(function (a) {
      return !(a.meta && a.meta.number);
    }).concat(matrix.narrow);
  }

  /* A full name (escaped by the server) in lines of at most ``width`` characters, at most ``lines`` lines. */
  function wrap(text, width, lines) {
    var words = unescape(String(text)).split(/\s+/), result = [];
    words.forEach(function (word) {
      var last = result.length - 1;
      if (last >= 0 && result[last].length + 1 + word.length <= width) result[last] += " " + word;
      else result.push(word);
    });
    if (result.length > lines) {
      var rest = result.slice(lines - 1).join(" ");
      result = result.slice(0, lines - 1).concat([rest.slice(0, width - 1) + "…"]);
    }
    return result.map(escape).join("<br>");
  }

  /* Narrow screens (down to 320 px): the axis names wrapped into narrow lines (from the full names in
   * meta.tick_names, never cut to a stub), smaller value labels, no colour bar. The hover and the data
   * table keep the full names and numbers. */
  function compact(figure, width) {
    narrowMatrix(figure, width);
    if (width >= 576) return;
    var layout = figure.layout;
    var meta = layout.meta || {};
    if (layout.yaxis && meta.tick_names) {
      var marked = meta.highlight || [];
      /* a heatmap row is one line of cells high: two lines of name fit it, three ran into the next row */
      var lines = figure.data.some(function (t) { return t.type === "heatmap"; }) ? 2 : 3;
      layout.yaxis.ticktext = meta.tick_names.map(function (name, i) {
        var text = wrap(name, lines === 2 ? 17 : 15, lines);
        return marked.indexOf(i) >= 0 ? "<b>▶ " + text + "</b>" : text;
      });
    } else if (layout.yaxis && layout.yaxis.ticktext) {
      layout.yaxis.ticktext = layout.yaxis.ticktext.map(function (t) { return shorten(t, 16); });
    }
    /* the matrix keeps room right of the plot for its last tick, "100 %" */
    layout.margin = {l: 4, r: meta.matrix ? 24 : 4, t: 6, b: 6};
    figure.data.forEach(function (trace) {
      if (trace.type === "heatmap") {
        trace.showscale = false;
        trace.textfont = {size: 8};
        trace.x = trace.x.map(function (t) { return shorten(t, 7); });
      } else if (trace.type === "bar") {
        trace.textfont = {size: 9};
        /* every other tick (0, 50, 100 %): five did not fit beside long names and were turned on end */
        var x = layout.xaxis;
        if (x && x.tickvals && x.ticktext && x.tickvals.length > 3) {
          x.tickvals = x.tickvals.filter(function (_v, i) { return i % 2 === 0; });
          x.ticktext = x.ticktext.filter(function (_v, i) { return i % 2 === 0; });
          x.tickangle = 0;
        }
      } else if (trace.type === "scatter" && trace.mode === "markers+text") {
        trace.textfont = {size: 9};
      }
    });
  }

  /* The two download buttons under a chart (instead of plotly's toolbar over it). */
  function downloads(element, filename) {
    if (element.nextElementSibling && element.nextElementSibling.classList.contains("chart-downloads")) return;
    var bar = document.createElement("div");
    bar.className = "chart-downloads d-flex gap-2 mt-1";
    [["png", pngLabel, 2], ["svg", svgLabel, 1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary btn-sm";
      button.textContent = spec[1];
      button.addEventListener("click", function () {
        Plotly.downloadImage(element, {format: spec[0], filename: filename, scale: spec[2]});
      });
      bar.appendChild(button);
    });
    element.insertAdjacentElement("afterend", bar);
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    if (!figure) return;
    compact(figure, element.clientWidth || window.innerWidth);
    var filename = element.dataset.filename || "chart";
    var config = {locale: plotlyLocale(), displaylogo: false, responsive: true, displayModeBar: false};
    downloads(element, filename);
    Plotly.newPlot(element, figure.data, figure.layout, config).then(function () {
      /* The drawing is an image named by the figure's description. */
      var svg = element.querySelector("svg.main-svg");
      if (svg && element.dataset.label) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", element.dataset.label);
      }
      element.classList.add("chart-drawn");
    });
  }

  function sortable(table) {
    var buttons = table.querySelectorAll("thead .sort-button");
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var th = button.closest("th");
        var column = parseInt(button.dataset.column, 10);
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
          if (x === "" && y !== "") return 1;   /* hidden figures last, both ways */
          if (y === "" && x !== "") return -1;
          var nx = parseFloat(x), ny = parseFloat(y);
          var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "sv");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function start() {
    document.querySelectorAll("table.js-sortable").forEach(sortable);
    if (typeof Plotly === "undefined") return;
    document.querySelectorAll("[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
