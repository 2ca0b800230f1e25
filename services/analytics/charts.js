"use strict";
// Small hand-drawn SVG line charts: no library, no network.
const JamsCharts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const W = 600, H = 190, LEFT = 44, RIGHT = 10, TOP = 10, BOTTOM = 24;

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
    return 10 * power;
  }

  function label(value) {
    if (Math.abs(value) >= 1000) return (value / 1000).toFixed(1) + "k";
    return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }

  function timeLabel(iso, stepS) {
    const date = new Date(iso);
    if (stepS >= 86400) return date.toISOString().slice(5, 10);
    return date.toISOString().slice(11, 16);
  }

  // series: [{name, color, points: [{t, v}]}]; v may be null (no value in that bucket).
  function draw(svg, series, stepS, legend) {
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.replaceChildren();
    const values = series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => v !== null);
    // Counts get whole-number grid lines: at least 0..4.
    const whole = values.every((v) => Number.isInteger(v));
    const max = whole ? Math.max(4, niceMax(Math.max(0, ...values)))
      : niceMax(Math.max(0, ...values));
    const count = Math.max(1, ...series.map((s) => s.points.length));
    const x = (i) => LEFT + (count === 1 ? 0 : (i * (W - LEFT - RIGHT)) / (count - 1));
    const y = (v) => TOP + (H - TOP - BOTTOM) * (1 - v / max);
    for (let g = 0; g <= 4; g++) {
      const value = (max * g) / 4;
      svg.append(el("line", { x1: LEFT, x2: W - RIGHT, y1: y(value), y2: y(value),
                              stroke: "#e5e8ec" }));
      svg.append(el("text", { x: LEFT - 6, y: y(value) + 4, "text-anchor": "end",
                              "font-size": 11, fill: "#5b6473" }, label(value)));
    }
    const first = series[0] && series[0].points[0];
    const last = series[0] && series[0].points[series[0].points.length - 1];
    if (first && last) {
      svg.append(el("text", { x: LEFT, y: H - 6, "font-size": 11, fill: "#5b6473" },
                    timeLabel(first.t, stepS)));
      svg.append(el("text", { x: W - RIGHT, y: H - 6, "text-anchor": "end", "font-size": 11,
                              fill: "#5b6473" }, timeLabel(last.t, stepS)));
    }
    for (const s of series) {
      // Gaps (null) split the line, so a bucket without data is not drawn as zero.
      let path = "", pen = false;
      s.points.forEach((p, i) => {
        if (p.v === null) { pen = false; return; }
        path += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(p.v).toFixed(1)} `;
        pen = true;
      });
      if (path) {
        svg.append(el("path", { d: path.trim(), fill: "none", stroke: s.color,
                                "stroke-width": 2, "data-series": s.name }));
      }
      s.points.forEach((p, i) => {
        if (p.v !== null && p.v > 0) {
          svg.append(el("circle", { cx: x(i), cy: y(p.v), r: 2.5, fill: s.color }));
        }
      });
    }
    if (legend) {
      legend.replaceChildren(...series.map((s) => {
        const total = s.points.reduce((sum, p) => sum + (p.v || 0), 0);
        const latest = [...s.points].reverse().find((p) => p.v !== null);
        const span = document.createElement("span");
        span.dataset.series = s.name;
        span.dataset.total = String(total);
        const swatch = document.createElement("i");
        swatch.style.background = s.color;
        span.append(swatch, `${s.name}: ${s.sum === false
          ? (latest ? label(latest.v) : "–") : label(total)}`);
        return span;
      }));
    }
  }

  return { draw };
})();
