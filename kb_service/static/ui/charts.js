// Small inline-SVG charts built with DOM calls (no library, nothing parsed as HTML): stacked daily bars
// and daily lines with gaps. Every bar / point carries a <title> tooltip and data-* attributes.

const NS = "http://www.w3.org/2000/svg";
const SIZE = { width: 640, height: 200, left: 40, right: 8, top: 10, bottom: 22 };
export const PALETTE = ["#0a66c2", "#1a7f37", "#bf8700", "#8250df", "#cf222e", "#1b7c83", "#656d76"];

function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

function tooltip(text) {
  const title = svgEl("title");
  title.textContent = text;
  return title;
}

function frame(className) {
  const { width, height } = SIZE;
  return svgEl("svg", { class: "chart " + className, viewBox: `0 0 ${width} ${height}`, role: "img" });
}

/** A y-axis from 0 to `max` with three grid lines, labelled by `format`. */
function yAxis(svg, max, format) {
  const { left, right, top, bottom, width, height } = SIZE;
  const plot = height - top - bottom;
  for (const share of [0, 0.5, 1]) {
    const y = top + plot * (1 - share);
    svg.append(svgEl("line", { class: "grid", x1: left, x2: width - right, y1: y, y2: y }));
    const label = svgEl("text", { class: "axis", x: left - 4, y: y + 3, "text-anchor": "end" });
    label.textContent = format(max * share);
    svg.append(label);
  }
}

/** Day labels (MM-DD) under the plot, at most about eight of them. */
function xAxis(svg, labels, xOf) {
  const step = Math.max(1, Math.ceil(labels.length / 8));
  const last = labels.length - 1;
  labels.forEach((label, i) => {
    // every step-th day and the last one, but no label crowding the last
    if (i !== last && (i % step !== 0 || last - i < Math.ceil(step / 2) + 1)) return;
    const text = svgEl("text", { class: "axis", x: xOf(i), y: SIZE.height - 6, "text-anchor": "middle" });
    text.textContent = String(label).slice(5);
    svg.append(text);
  });
}

function niceMax(value) {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const steps = [1, 2, 2.5, 5, 10].map((s) => s * magnitude);
  return steps.find((s) => s >= value) || value;
}

/**
 * Stacked bars, one column per label. `series` = [{name, values, color}]; values line up with labels.
 * @returns {SVGSVGElement}
 */
export function stackedBars(labels, series, { className = "bars" } = {}) {
  const svg = frame(className);
  const { left, right, top, bottom, width, height } = SIZE;
  const plot = height - top - bottom;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  yAxis(svg, max, (v) => String(Math.round(v)));
  const slot = (width - left - right) / Math.max(1, labels.length);
  const barWidth = Math.max(1, slot * 0.7);
  const xOf = (i) => left + slot * (i + 0.5);
  labels.forEach((label, i) => {
    const column = svgEl("g", { class: "day", "data-date": label, "data-total": totals[i] });
    let base = top + plot;
    for (const s of series) {
      const value = s.values[i] || 0;
      if (!value) continue;
      const h = (value / max) * plot;
      base -= h;
      const rect = svgEl("rect", {
        class: "bar", x: xOf(i) - barWidth / 2, y: base, width: barWidth, height: h, fill: s.color,
        "data-series": s.name, "data-value": value,
      });
      rect.append(tooltip(`${label} · ${s.name}: ${value}`));
      column.append(rect);
    }
    svg.append(column);
  });
  xAxis(svg, labels, xOf);
  return svg;
}

/**
 * Lines over 0..1 shown as percentages; null values leave a gap. `series` = [{name, values, color}].
 * @returns {SVGSVGElement}
 */
export function rateLines(labels, series, { className = "lines" } = {}) {
  const svg = frame(className);
  const { left, right, top, bottom, width, height } = SIZE;
  const plot = height - top - bottom;
  yAxis(svg, 1, (v) => Math.round(v * 100) + "%");
  const slot = (width - left - right) / Math.max(1, labels.length);
  const xOf = (i) => left + slot * (i + 0.5);
  const yOf = (v) => top + plot * (1 - v);
  for (const s of series) {
    const group = svgEl("g", { class: "series", "data-series": s.name });
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        group.append(svgEl("polyline", { class: "line", points: run.join(" "), stroke: s.color, fill: "none" }));
      }
      run = [];
    };
    s.values.forEach((value, i) => {
      if (value === null || value === undefined) return flush();
      run.push(`${xOf(i).toFixed(1)},${yOf(value).toFixed(1)}`);
      const point = svgEl("circle", {
        class: "point", cx: xOf(i), cy: yOf(value), r: 3, fill: s.color,
        "data-date": labels[i], "data-value": value,
      });
      point.append(tooltip(`${labels[i]} · ${s.name}: ${(value * 100).toFixed(1)}%`));
      group.append(point);
    });
    flush();
    svg.append(group);
  }
  xAxis(svg, labels, xOf);
  return svg;
}

/** A legend row: a coloured square and the series name for each series. */
export function legend(series) {
  const list = document.createElement("ul");
  list.className = "legend";
  for (const s of series) {
    const item = document.createElement("li");
    const swatch = svgEl("svg", { width: 10, height: 10, "aria-hidden": "true" }, svgEl("rect", { width: 10, height: 10, fill: s.color }));
    item.append(swatch, " " + s.name);
    list.append(item);
  }
  return list;
}
