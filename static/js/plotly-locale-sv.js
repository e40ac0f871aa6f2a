/* Swedish for plotly.js (issue 17): month and day names as Swedish writes them (lower case: "12 okt",
 * "oktober"), decimal comma and a space between thousands, and the toolbar's and hover's few words.
 * Loaded after plotly on every page with charts; charts.js and submission-curve.js pick the locale from
 * the page's language (<html lang>). */
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  Plotly.register({
    moduleType: "locale",
    name: "sv",
    dictionary: {
      "Autoscale": "Skala automatiskt",
      "Box Select": "Markera med rektangel",
      "Double-click on legend to isolate one trace": "Dubbelklicka på förklaringen för att bara visa en serie",
      "Double-click to zoom back out": "Dubbelklicka för att zooma ut igen",
      "Download plot": "Ladda ner diagrammet",
      "Download plot as a PNG": "Ladda ner diagrammet som PNG",
      "Lasso Select": "Markera med lasso",
      "Pan": "Panorera",
      "Produced with Plotly.js": "Gjort med Plotly.js",
      "Reset axes": "Återställ axlarna",
      "Reset": "Återställ",
      "Show closest data on hover": "Visa närmaste värde vid muspekaren",
      "Compare data on hover": "Jämför värden vid muspekaren",
      "Snapshot succeeded": "Bilden är klar",
      "Taking snapshot - this may take a few seconds": "Bilden skapas – det kan ta några sekunder",
      "Zoom": "Zooma",
      "Zoom in": "Zooma in",
      "Zoom out": "Zooma ut",
      "trace": "serie"
    },
    format: {
      days: ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
      shortDays: ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
      months: ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
        "oktober", "november", "december"],
      shortMonths: ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
      date: "%Y-%m-%d",
      decimal: ",",
      thousands: "\u00a0"
    }
  });
})();
