// Draws the report's charts as plain SVG from the results JSON (no chart library):
// chart.svg, time per unit by case (log scale), and h-rss.svg, RSS over time with a slow consumer.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const COLORS = { weft: "#2f7d32", raw: "#7a7a7a", langgraph: "#c0392b", "langgraph-awaited": "#e67e22" };
const LABELS = { weft: "Weft", raw: "raw generator (a)", langgraph: "LangGraph.js", "langgraph-awaited": "LangGraph.js, callbacks awaited" };

const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;");

function legend(libraries, x, y) {
  return libraries
    .map((library, index) => {
      const top = y + index * 18;
      return `<rect x="${x}" y="${top}" width="12" height="12" fill="${COLORS[library]}"/><text x="${x + 18}" y="${top + 10}">${escape(LABELS[library])}</text>`;
    })
    .join("");
}

/** Horizontal bars, log scale: µs per unit for every case and library. */
export function timeChart(summary) {
  const rows = [];
  for (const [caseId, libraries] of Object.entries(summary)) {
    if (caseId === "h") continue; // bounded by the consumer's 1 ms sleeps: shown as an RSS curve instead
    for (const library of ["raw", "weft", "langgraph", "langgraph-awaited"]) {
      const value = libraries[library]?.microsPerUnit;
      if (value) rows.push({ caseId, library, value });
    }
  }
  const barHeight = 14;
  const left = 90;
  const width = 760;
  const plotWidth = width - left - 90;
  const top = 40;
  let y = top;
  const min = Math.min(...rows.map((row) => row.value));
  const max = Math.max(...rows.map((row) => row.value));
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const scale = (value) => ((Math.log10(value) - low) / (high - low)) * plotWidth;
  const parts = [];
  let previous;
  for (const row of rows) {
    if (row.caseId !== previous) {
      y += 8;
      parts.push(`<text x="${left - 8}" y="${y + barHeight - 3}" text-anchor="end" font-weight="bold">${escape(row.caseId)}</text>`);
      previous = row.caseId;
    }
    const length = Math.max(1, scale(row.value));
    parts.push(
      `<rect x="${left}" y="${y}" width="${length.toFixed(1)}" height="${barHeight - 2}" fill="${COLORS[row.library]}"/>` +
        `<text x="${left + length + 4}" y="${y + barHeight - 3}">${row.value < 10 ? row.value.toFixed(2) : row.value.toFixed(0)}</text>`,
    );
    y += barHeight;
  }
  const height = y + 40;
  const ticks = [];
  for (let power = low; power <= high; power++) {
    const x = left + scale(10 ** power);
    ticks.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${y + 4}" stroke="#ddd"/><text x="${x}" y="${y + 18}" text-anchor="middle">${10 ** power >= 1 ? 10 ** power : (10 ** power).toFixed(-power)}</text>`);
  }
  return svg(width, height + 18 * 4 + 10, [
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Time per unit (µs, log scale; token, chunk or superstep — lower is better)</text>`,
    ...ticks,
    ...parts,
    legend(["raw", "weft", "langgraph", "langgraph-awaited"], left, height),
  ]);
}

/** RSS above the pre-run baseline over time, one line per library (case h). */
export function rssChart(summary) {
  const libraries = Object.entries(summary.h ?? {}).filter(([, row]) => row.rssCurveMb?.length);
  if (libraries.length === 0) return undefined;
  const width = 760;
  const height = 320;
  const left = 60;
  const bottom = height - 90;
  const plotWidth = width - left - 30;
  const plotHeight = bottom - 40;
  const maxTime = Math.max(...libraries.flatMap(([, row]) => row.rssCurveMb.map(([time]) => time)));
  const values = libraries.flatMap(([, row]) => row.rssCurveMb.map(([, mb]) => mb));
  const maxMb = Math.max(60, Math.ceil(Math.max(...values) / 50) * 50);
  const minMb = Math.min(0, Math.floor(Math.min(...values) / 10) * 10);
  const x = (time) => left + (time / maxTime) * plotWidth;
  const y = (mb) => bottom - ((mb - minMb) / (maxMb - minMb)) * plotHeight;
  const parts = [`<text x="${left}" y="20" font-size="14" font-weight="bold">Case h: RSS above baseline (MB) while a consumer waits 1 ms per chunk</text>`];
  const step = [10, 20, 50, 100, 200, 500].find((candidate) => (maxMb - minMb) / candidate <= 6) ?? 1000;
  for (let mb = minMb; mb <= maxMb; mb += step) {
    parts.push(`<line x1="${left}" y1="${y(mb)}" x2="${left + plotWidth}" y2="${y(mb)}" stroke="#ddd"/><text x="${left - 6}" y="${y(mb) + 4}" text-anchor="end">${Math.round(mb)}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${y(50)}" x2="${left + plotWidth}" y2="${y(50)}" stroke="#555" stroke-dasharray="4 3"/><text x="${left + plotWidth}" y="${y(50) - 4}" text-anchor="end">50 MB target</text>`);
  for (let second = 0; second <= maxTime / 1000; second += Math.max(1, Math.round(maxTime / 10000))) {
    parts.push(`<text x="${x(second * 1000)}" y="${bottom + 16}" text-anchor="middle">${second}s</text>`);
  }
  for (const [library, row] of libraries) {
    const points = row.rssCurveMb.map(([time, mb]) => `${x(time).toFixed(1)},${y(mb).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${COLORS[library]}" stroke-width="2" points="${points}"/>`);
  }
  parts.push(legend(libraries.map(([library]) => library), left, bottom + 30));
  return svg(width, height, parts);
}

function svg(width, height, parts) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}

export function renderCharts(_report, summary, directory) {
  writeFileSync(join(directory, "chart.svg"), timeChart(summary));
  const rss = rssChart(summary);
  if (rss !== undefined) writeFileSync(join(directory, "h-rss.svg"), rss);
}

// `node bench/chart.mjs [results.json]` redraws the charts from a saved run.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const directory = join(dirname(fileURLToPath(import.meta.url)), "results");
  const file = process.argv[2] ?? join(directory, "latest.json");
  const report = JSON.parse(readFileSync(file, "utf8"));
  renderCharts(report, report.summary, directory);
}
