// The cases, their sizes, and how raw runs become the medians, ratios and target checks of the report.

const STREAMING = ["weft", "langgraph", "langgraph-awaited"];
const PLAIN = ["weft", "langgraph"];
const SERVERS = ["weft-server", "raw-sse", "langgraph-api"];

/** Every case of issue 4, in report order. `unit` is what the time is divided by. */
export const CASES = [
  { id: "a", title: "raw async generator + for await (baseline)", unit: "token", libraries: ["raw"] },
  { id: "b", title: "messages mode, one node, one model call", unit: "token", libraries: STREAMING },
  { id: "b-implicit", title: "b with model.invoke(messages) and no config (AsyncLocalStorage)", unit: "token", libraries: ["weft"] },
  { id: "b-explicit", title: "b compiled with implicitConfig: false (nodes run outside AsyncLocalStorage)", unit: "token", libraries: ["weft"] },
  { id: "c", title: "joke+poem node, two tagged models, consumer keeps the joke", unit: "chunk", libraries: STREAMING },
  { id: "d", title: "custom mode, writer called in a sync loop", unit: "chunk", libraries: PLAIN },
  { id: "d-async", title: "custom mode, writer relayed from an async source", unit: "chunk", libraries: PLAIN },
  { id: "e", title: "invoke, chain of 200 trivial nodes", unit: "step", libraries: PLAIN },
  { id: "e2", title: "invoke, 2-node loop for 4,000 steps", unit: "step", libraries: PLAIN },
  { id: "f", title: "fan-out, 32 parallel nodes × 500 tokens, messages mode", unit: "token", libraries: STREAMING },
  { id: "g", title: "values + updates streaming, 200-node chain", unit: "step", libraries: PLAIN },
  // 100,000 chunks at 1 ms each take ~2 minutes per library: one repetition in a full run.
  { id: "h", title: "slow consumer (1 ms per chunk), messages mode", unit: "token", libraries: STREAMING, reps: 1 },
  { id: "s1", title: "server, memory log, one 5,000-token run, plain client", unit: "token", libraries: SERVERS, server: true },
  { id: "s50", title: "server, memory log, 50 concurrent runs × 200 tokens, plain client", unit: "token", libraries: SERVERS, server: true },
];

export const SIZES = {
  full: {
    a: { tokens: 20000 },
    b: { tokens: 20000 },
    "b-implicit": { tokens: 20000 },
    "b-explicit": { tokens: 20000 },
    c: { tokens: 20000 },
    d: { tokens: 20000 },
    "d-async": { tokens: 20000 },
    e: { nodes: 200 },
    e2: { steps: 4000 },
    f: { nodes: 32, tokens: 500 },
    g: { nodes: 200 },
    h: { tokens: 100000, waitMs: 1 },
    s1: { runs: 1, tokens: 5000 },
    s50: { runs: 50, tokens: 200 },
  },
  quick: {
    a: { tokens: 2000 },
    b: { tokens: 2000 },
    "b-implicit": { tokens: 2000 },
    "b-explicit": { tokens: 2000 },
    c: { tokens: 1000 },
    d: { tokens: 2000 },
    "d-async": { tokens: 2000 },
    e: { nodes: 50 },
    e2: { steps: 200 },
    f: { nodes: 32, tokens: 50 },
    g: { nodes: 50 },
    h: { tokens: 300, waitMs: 1 },
    s1: { runs: 1, tokens: 500 },
    s50: { runs: 10, tokens: 50 },
  },
};

function median(values) {
  const sorted = values.filter((value) => typeof value === "number" && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function round(value, digits) {
  if (value === null || value === undefined) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** µs per unit: per step for step cases, per delivered chunk otherwise (a lost token is not a cheap token). */
function perUnit(spec, result, field) {
  const divisor = spec.unit === "step" ? result.units : result.delivered;
  return divisor > 0 && typeof result[field] === "number" ? (result[field] * 1000) / divisor : null;
}

/** Medians per case and library. */
export function summarize(report) {
  const summary = {};
  for (const spec of CASES) {
    const byLibrary = report.runs[spec.id];
    if (byLibrary === undefined) continue;
    const rows = {};
    for (const [library, results] of Object.entries(byLibrary)) {
      rows[library] = {
        runs: results.length,
        wallMs: round(median(results.map((result) => result.wallMs)), 3),
        microsPerUnit: round(median(results.map((result) => perUnit(spec, result, "wallMs"))), 4),
        gcMicrosPerUnit: round(median(results.map((result) => perUnit(spec, result, "gcWallMs"))), 4),
        coldFirstTokenMs: round(median(results.map((result) => result.coldFirstTokenMs)), 4),
        cpuMicrosPerUnit: round(median(results.map((result) => perUnit(spec, result, "cpuMs"))), 4),
        produced: Math.max(...results.map((result) => result.produced)),
        deliveredMin: Math.min(...results.map((result) => result.delivered)),
        deliveredMax: Math.max(...results.map((result) => result.delivered)),
        firstTokenMs: round(median(results.map((result) => result.firstTokenMs)), 4),
        peakRssDeltaMb: round(median(results.map((result) => result.peakRssDeltaMb)), 2),
        tokensPerSecond: spec.unit === "step" ? null : round(median(results.map((result) => (result.delivered * 1000) / result.wallMs)), 0),
        rssCurveMb: results.find((result) => result.rssCurveMb)?.rssCurveMb,
      };
    }
    summary[spec.id] = rows;
  }
  return summary;
}

function ratio(numerator, denominator) {
  return numerator && denominator ? numerator / denominator : null;
}

const format = (value, digits = 2) => (value === null || value === undefined ? "–" : value.toLocaleString("en-US", { maximumFractionDigits: digits }));
const delivered = (row) =>
  row === undefined ? "–" : `${format(row.deliveredMin, 0)}${row.deliveredMax !== row.deliveredMin ? `–${format(row.deliveredMax, 0)}` : ""} / ${format(row.produced, 0)}`;

export function buildTables(report) {
  const summary = summarize(report);
  const lines = [
    "| case | what | unit | Weft µs/unit | LangGraph.js µs/unit | LG/Weft | LG awaited µs/unit | LG awaited/Weft | delivered / produced (Weft · LG · LG awaited) | first token ms (Weft · LG) | peak RSS Δ MB (Weft · LG · LG awaited) |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
  ];
  for (const spec of CASES) {
    const rows = summary[spec.id];
    if (rows === undefined || spec.server) continue;
    const weft = rows.weft ?? rows.raw;
    const langgraph = rows.langgraph;
    const awaited = rows["langgraph-awaited"];
    lines.push(
      `| ${spec.id} | ${spec.title} | ${spec.unit} | ${format(weft?.microsPerUnit, 3)} | ${format(langgraph?.microsPerUnit)} | ` +
        `${langgraph ? `${format(ratio(langgraph.microsPerUnit, weft.microsPerUnit), 1)}×` : "–"} | ${format(awaited?.microsPerUnit)} | ` +
        `${awaited ? `${format(ratio(awaited.microsPerUnit, weft.microsPerUnit), 1)}×` : "–"} | ` +
        `${[weft, langgraph, awaited].filter(Boolean).map(delivered).join(" · ")} | ` +
        `${format(weft?.firstTokenMs, 3)} · ${format(langgraph?.firstTokenMs, 3)} | ` +
        `${[weft, langgraph, awaited].filter(Boolean).map((row) => format(row.peakRssDeltaMb, 1)).join(" · ")} |`,
    );
  }
  const cpuLines = ["| case | Weft CPU µs/unit | LangGraph.js CPU µs/unit | LG/Weft (CPU) |", "| --- | ---: | ---: | ---: |"];
  for (const spec of CASES) {
    const rows = summary[spec.id];
    if (rows === undefined || rows.langgraph === undefined) continue;
    const weft = rows.weft;
    cpuLines.push(
      `| ${spec.id} | ${format(weft.cpuMicrosPerUnit, 3)} | ${format(rows.langgraph.cpuMicrosPerUnit)} | ${format(ratio(rows.langgraph.cpuMicrosPerUnit, weft.cpuMicrosPerUnit), 1)}× |`,
    );
  }
  const gcLines = [
    "| case | Weft µs/unit, forced GC | Weft µs/unit, warm | LG µs/unit, forced GC | LG/Weft, forced GC | LG awaited µs/unit, forced GC | LG awaited/Weft, forced GC | Weft first token of the first run, ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const spec of CASES) {
    const rows = summary[spec.id];
    if (rows === undefined || spec.server) continue;
    const weft = rows.weft ?? rows.raw;
    const langgraph = rows.langgraph;
    const awaited = rows["langgraph-awaited"];
    if (weft?.gcMicrosPerUnit === null || weft?.gcMicrosPerUnit === undefined) continue;
    gcLines.push(
      `| ${spec.id} | ${format(weft.gcMicrosPerUnit, 3)} | ${format(weft.microsPerUnit, 3)} | ${format(langgraph?.gcMicrosPerUnit)} | ` +
        `${langgraph ? `${format(ratio(langgraph.gcMicrosPerUnit, weft.gcMicrosPerUnit), 1)}×` : "–"} | ${format(awaited?.gcMicrosPerUnit)} | ` +
        `${awaited ? `${format(ratio(awaited.gcMicrosPerUnit, weft.gcMicrosPerUnit), 1)}×` : "–"} | ${format(weft.coldFirstTokenMs, 3)} |`,
    );
  }
  const serverLines = [
    "| case | what | Weft server µs/token | raw batched SSE µs/token | Weft throughput / raw | LangGraph API server µs/token | LG API/Weft | Weft server µs/token, forced GC | raw, forced GC | delivered / produced (Weft · raw · LG API) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const spec of CASES) {
    const rows = summary[spec.id];
    if (rows === undefined || !spec.server) continue;
    const weft = rows["weft-server"];
    const raw = rows["raw-sse"];
    const api = rows["langgraph-api"];
    serverLines.push(
      `| ${spec.id} | ${spec.title} | ${format(weft?.microsPerUnit, 3)} | ${format(raw?.microsPerUnit, 3)} | ${format(ratio(raw?.microsPerUnit, weft?.microsPerUnit), 2)}× | ` +
        `${format(api?.microsPerUnit)} | ${api ? `${format(ratio(api.microsPerUnit, weft?.microsPerUnit), 1)}×` : "–"} | ` +
        `${format(weft?.gcMicrosPerUnit, 3)} | ${format(raw?.gcMicrosPerUnit, 3)} | ${[weft, raw, api].filter(Boolean).map(delivered).join(" · ")} |`,
    );
  }
  const markdown = `${lines.join("\n")}\n\nThe forced-GC method (a full GC before each of 5 timed runs, their median) beside the warm one (back-to-back runs, their mean):\n\n${gcLines.join("\n")}\n\nServer cases (HTTP on 127.0.0.1, server and plain client in one process; throughput ratio, higher is better for Weft):\n\n${serverLines.join("\n")}\n\nMedians of ${report.mode === "quick" ? "one run (quick mode: sizes too small for timing)" : "the repetitions"}; µs per delivered chunk (per step for step cases), wall clock. CPU time (process user + system, all threads) per unit, less sensitive to other load on the machine:\n\n${cpuLines.join("\n")}`;
  return { summary, markdown };
}

/** Issue 4's targets, each with the measured value and pass/fail. */
export function checkTargets(report) {
  const summary = summarize(report);
  const rows = [];
  const add = (target, value, pass) => rows.push({ target, value, pass });
  const get = (id, library) => summary[id]?.[library];
  const speedup = (id, against = "langgraph") => ratio(get(id, against)?.microsPerUnit, get(id, "weft")?.microsPerUnit);

  if (get("b", "weft")) {
    const b = get("b", "weft");
    add("b: ≥ 40× less time per token than LangGraph.js", `${format(speedup("b"), 1)}×`, speedup("b") >= 40);
    const a = get("a", "raw");
    if (a) add("b: ≤ 10× the raw baseline a", `${format(ratio(b.microsPerUnit, a.microsPerUnit), 1)}×`, ratio(b.microsPerUnit, a.microsPerUnit) <= 10);
    add("b: first token ≤ 0.2 ms after the model yields it", `${format(b.firstTokenMs, 3)} ms`, b.firstTokenMs <= 0.2);
    add("b: RSS delta ≤ 15 MB for 20,000 tokens", `${format(b.peakRssDeltaMb, 1)} MB`, b.peakRssDeltaMb <= 15);
  }
  for (const id of ["c", "d", "d-async", "e", "e2", "g"]) {
    if (get(id, "weft") && get(id, "langgraph")) {
      const per = CASES.find((spec) => spec.id === id).unit;
      add(`${id}: ≥ 40× less time per ${per} than LangGraph.js`, `${format(speedup(id), 1)}×`, speedup(id) >= 40);
    }
  }
  const f = get("f", "weft");
  if (f) {
    add("f: every token delivered", `${f.deliveredMin} / ${f.produced}`, f.deliveredMin === f.produced);
    const awaited = get("f", "langgraph-awaited");
    if (awaited) {
      const tokensRatio = ratio(f.tokensPerSecond, awaited.tokensPerSecond);
      add("f: ≥ 20× LangGraph.js tokens/s (callbacks awaited)", `${format(tokensRatio, 1)}×`, tokensRatio >= 20);
    }
  }
  const h = get("h", "weft");
  if (h) add("h: peak RSS < 50 MB above baseline", `${format(h.peakRssDeltaMb, 1)} MB`, h.peakRssDeltaMb < 50);
  // Issue 15's targets: the forced-GC method, and the server against a raw batched SSE server.
  const gcSpeedup = (id, against) => ratio(get(id, against)?.gcMicrosPerUnit, get(id, "weft")?.gcMicrosPerUnit);
  if (get("b", "weft") && get("a", "raw")) {
    const slower = ratio(get("b", "weft").gcMicrosPerUnit, get("a", "raw").gcMicrosPerUnit);
    add("issue 15 · b, forced GC: ≤ 3× the raw async generator a", `${format(slower, 1)}×`, slower <= 3);
  }
  if (get("b-explicit", "weft") && get("a", "raw")) {
    const slower = ratio(get("b-explicit", "weft").gcMicrosPerUnit, get("a", "raw").gcMicrosPerUnit);
    const faster = ratio(get("b", "langgraph")?.gcMicrosPerUnit, get("b-explicit", "weft").gcMicrosPerUnit);
    add("issue 15 · b-explicit (implicitConfig: false), forced GC: ≤ 3× the raw async generator a", `${format(slower, 1)}×`, slower <= 3);
    if (faster !== null) add("issue 15 · b-explicit, forced GC: ≥ 60× LangGraph.js's b", `${format(faster, 1)}×`, faster >= 60);
  }
  for (const [id, against, target] of [["b", "langgraph", 60], ["d", "langgraph", 80], ["e", "langgraph", 80], ["f", "langgraph-awaited", 40]]) {
    if (get(id, "weft") && get(id, against)) {
      add(`issue 15 · ${id}, forced GC: ≥ ${target}× ${against === "langgraph" ? "LangGraph.js" : "LangGraph.js (callbacks awaited)"}`, `${format(gcSpeedup(id, against), 1)}×`, gcSpeedup(id, against) >= target);
    }
  }
  if (get("b", "weft")?.coldFirstTokenMs != null) {
    const cold = get("b", "weft").coldFirstTokenMs;
    add("issue 15 · b: first token of a new graph's first run ≤ 0.1 ms", `${format(cold, 3)} ms`, cold <= 0.1);
  }
  for (const id of ["s1", "s50"]) {
    const throughput = ratio(get(id, "raw-sse")?.microsPerUnit, get(id, "weft-server")?.microsPerUnit);
    if (throughput !== null) add(`issue 15 · ${id}: ≥ 0.8× the throughput of a raw batched SSE server`, `${format(throughput, 2)}×`, throughput >= 0.8);
  }
  const againstApi = ratio(get("s1", "langgraph-api")?.microsPerUnit, get("s1", "weft-server")?.microsPerUnit);
  if (againstApi !== null) add("issue 15 · s1: ≥ 30× less time per token than the LangGraph.js API server", `${format(againstApi, 1)}×`, againstApi >= 30);
  const markdown = [
    "| target (issues 4 and 15) | measured | met |",
    "| --- | ---: | :---: |",
    ...rows.map((row) => `| ${row.target} | ${row.value} | ${row.pass ? "yes" : "**no**"} |`),
  ].join("\n");
  return { rows, markdown };
}
