// Charts on the insights pages: data comes from data-chart-data attributes (CSP allows no inline scripts).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.Chart === "undefined") return;
  const colours = ["#3b4cca", "#137a4b", "#e0a100", "#b42332", "#6b778c"];
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    let data;
    try {
      data = JSON.parse(canvas.dataset.chartData);
    } catch (e) {
      return;
    }
    const type = canvas.dataset.chart;
    data.datasets.forEach((set, i) => {
      set.borderColor = colours[i % colours.length];
      set.backgroundColor = type === "bar" ? colours[i % colours.length] + "cc" : colours[i % colours.length] + "22";
      set.borderWidth = type === "bar" ? 0 : 2;
      set.pointRadius = 0;
      set.tension = 0.25;
    });
    new window.Chart(canvas, {
      type,
      data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { x: { ticks: { maxTicksLimit: 10 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
});
