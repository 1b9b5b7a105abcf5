/* Draw every Plotly chart of the page: <div class="chart" data-figure="ID"> with its figure
   as JSON in <script type="application/json" id="ID">. No inline scripts (the pages' CSP). */
(function () {
  "use strict";
  function draw() {
    var charts = document.querySelectorAll("div.chart[data-figure]");
    for (var i = 0; i < charts.length; i++) {
      var el = charts[i];
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source || typeof Plotly === "undefined") { continue; }
      var fig = JSON.parse(source.textContent);
      // a fixed height: the responsive resize then only changes the width
      if (fig.layout && fig.layout.height) { el.style.height = fig.layout.height + "px"; }
      Plotly.newPlot(el, fig.data, fig.layout, {
        displaylogo: false,
        responsive: true,
        modeBarButtonsToRemove: ["select2d", "lasso2d"]
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
