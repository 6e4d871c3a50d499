// Overview charts, drawn with the locally served Chart.js from the /api/overview figures.
"use strict";
(function () {
  const missing = document.getElementById("chart-missing");
  if (typeof window.Chart === "undefined") {
    if (missing) missing.classList.remove("hidden");
    return;
  }
  const bar = (id, rows, label, horizontal) => {
    const el = document.getElementById(id);
    if (!el || !rows.length) return;
    new window.Chart(el, {
      type: "bar",
      data: {
        labels: rows.map((r) => r.name === null ? "unknown" : r.name),
        datasets: [{ label: label, data: rows.map((r) => r.count), backgroundColor: "#2450a6" }],
      },
      options: { indexAxis: horizontal ? "y" : "x", animation: false, plugins: { legend: { display: false } } },
    });
  };
  fetch("/api/overview").then((r) => r.json()).then((o) => {
    const time = o.over_time.map((r) => ({ name: r.period || "undated", count: r.articles }));
    bar("chart-time", time, "articles", false);
    bar("chart-outlets", o.outlets, "articles", true);
    bar("chart-actors", o.actors, "articles", true);
    bar("chart-techniques", o.techniques, "spans", true);
    bar("chart-labels", o.labels, "uses", true);
    document.body.dataset.charts = "drawn";
  }).catch(() => { if (missing) missing.classList.remove("hidden"); });
})();
