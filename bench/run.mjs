// Weft vs LangGraph.js, side by side. Each library runs in its own child process (LangGraph.js's
// AsyncLocalStorage hooks would slow everything else in a shared process), alternating.
//
//   npm run bench                 full run: >= 5 repetitions, writes bench/results/ and the README table
//   npm run bench -- --quick      smoke run for CI: small sizes, one pass, fails only on a crash or a lost token
//   npm run bench -- --cases b,f --reps 3
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderCharts } from "./chart.mjs";
import { CASES, SIZES, buildTables, checkTargets } from "./lib/report.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);

function parseArguments(argv) {
  const options = { quick: false, reps: 5, cases: undefined, build: true, output: true };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === "--quick") options.quick = true;
    else if (argument === "--reps") options.reps = Number(argv[++index]);
    else if (argument === "--cases") options.cases = argv[++index].split(",");
    else if (argument === "--no-build") options.build = false;
    else if (argument === "--no-output") options.output = false;
    else throw new Error(`Unknown argument ${argument}. Use --quick, --reps N, --cases b,f, --no-build, --no-output.`);
  }
  if (!Number.isInteger(options.reps) || options.reps < 1) throw new Error("--reps needs a whole number >= 1.");
  return options;
}

/** Build dist/ when any source file is newer than it: the bench measures Weft as users run it. */
function ensureBuilt() {
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return Math.max(latest, newest(path));
      return entry.name.endsWith(".test.ts") ? latest : Math.max(latest, statSync(path).mtimeMs);
    }, 0);
  let built = 0;
  try {
    built = statSync(join(root, "dist/index.js")).mtimeMs;
  } catch {}
  if (built >= newest(join(root, "src"))) return;
  process.stderr.write("bench: building dist/ (npm run build)...\n");
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}

const LIBRARIES = {
  raw: { script: "cases/raw.mjs", env: {} },
  weft: { script: "cases/weft.mjs", env: {} },
  langgraph: { script: "cases/langgraph.mjs", env: {} },
  // LangChain runs callback handlers (LangGraph's messages stream among them) on a background queue
  // unless this is "false"; awaited, no token is lost.
  "langgraph-awaited": { script: "cases/langgraph.mjs", env: { LANGCHAIN_CALLBACKS_BACKGROUND: "false" } },
  // Server cases: Weft's server (memory event log) and a raw batched node:http SSE server, each with the same plain client.
  "weft-server": { script: "cases/server.mjs", env: { BENCH_SERVER: "weft" } },
  "raw-sse": { script: "cases/server.mjs", env: { BENCH_SERVER: "raw" } },
  // The LangGraph.js API server (in memory), its request logging at "error" as a deployment would set it.
  // Its runs take seconds (~2.5 ms per token), so a full run measures it once: one warm-up run, one
  // measured run, no forced-GC repetitions (a GC is noise next to its per-token cost).
  "langgraph-api": { script: "cases/server.mjs", env: { BENCH_SERVER: "langgraph-api", LOG_LEVEL: "error", BENCH_GC_REPETITIONS: "0" }, reps: 1, warmups: 1 },
};

/** Run `cases` of one library in a fresh child; resolves to one result per case. */
function runChild(library, cases, sizes, warmups) {
  const { script, env } = LIBRARIES[library];
  warmups = Math.min(warmups, LIBRARIES[library].warmups ?? warmups);
  const payload = JSON.stringify({ cases, sizes, warmups });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--expose-gc", join(benchDir, script), payload], {
      cwd: root,
      env: {
        ...process.env,
        LANGCHAIN_CALLBACKS_BACKGROUND: undefined,
        ...env,
        LANGSMITH_TRACING: "false",
        LANGCHAIN_TRACING_V2: "false",
        BENCH_WARMUP_MS: warmups > 1 ? "500" : "0",
        BENCH_MEASURE_MS: warmups > 1 ? "300" : "0",
        BENCH_GC_REPETITIONS: env.BENCH_GC_REPETITIONS ?? (warmups > 1 ? "5" : "1"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data) => (stdout += data));
    child.stderr.on("data", (data) => (stderr += data));
    child.on("close", (code) => {
      const results = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line));
      const errors = stderr
        .split("\n")
        .filter((line) => line.trim() !== "" && !/MaxListenersExceededWarning|--trace-warnings/.test(line));
      resolve({ code, results, error: code === 0 ? undefined : errors.slice(0, 12).join("\n") || `exit code ${code}` });
    });
  });
}

function machine() {
  const versionOf = (name) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    nproc: Number(execFileSync("nproc").toString().trim()),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadAverage(),
    versions: {
      weft: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version,
      "@langchain/langgraph": versionOf("@langchain/langgraph"),
      "@langchain/core": versionOf("@langchain/core"),
      "@langchain/langgraph-api": versionOf("@langchain/langgraph-api"),
    },
  };
}

function loadAverage() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.build) ensureBuilt();
  const mode = options.quick ? "quick" : "full";
  const sizes = SIZES[mode];
  const selected = CASES.filter((spec) => options.cases === undefined || options.cases.includes(spec.id));
  const runs = {}; // runs[case][library] = [result...]
  const failures = [];
  const record = (caseId, library, outcome) => {
    if (outcome.error !== undefined) failures.push(`${caseId}/${library} crashed: ${outcome.error}`);
    for (const result of outcome.results) {
      ((runs[result.case] ??= {})[library] ??= []).push(result);
      if (!library.startsWith("langgraph") && result.delivered !== result.produced) {
        failures.push(`${result.case}/${library} lost tokens: ${result.delivered} of ${result.produced} delivered`);
      }
    }
  };
  const started = Date.now();
  const info = machine();

  if (options.quick) {
    // One child per library, every case once: a smoke run, no timing assertions.
    const byLibrary = {};
    for (const spec of selected) for (const library of spec.libraries) (byLibrary[library] ??= []).push(spec.id);
    const outcomes = await Promise.all(
      Object.entries(byLibrary).map(async ([library, cases]) => [library, cases, await runChild(library, cases, sizes, 1)]),
    );
    for (const [library, cases, outcome] of outcomes) record(cases.join(","), library, outcome);
  } else {
    for (let rep = 0; rep < options.reps; rep++) {
      for (const spec of selected) {
        if (rep >= (spec.reps ?? options.reps)) continue;
        // Alternate which library goes first, so neither always runs on a warmer or quieter machine.
        const order = rep % 2 === 0 ? spec.libraries : [...spec.libraries].reverse();
        for (const library of order) {
          if (rep >= (LIBRARIES[library].reps ?? options.reps)) continue;
          const outcome = await runChild(library, [spec.id], sizes, 2);
          record(spec.id, library, outcome);
          const result = outcome.results[0];
          process.stderr.write(
            `rep ${rep + 1} ${spec.id.padEnd(10)} ${library.padEnd(18)} ${result ? `${(((result.wallMs / result.units) * 1000).toFixed(2))} µs/unit, ${result.delivered}/${result.produced} delivered` : "FAILED"}\n`,
          );
        }
      }
    }
  }

  const report = { mode, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), machine: info, sizes, runs };
  const tables = buildTables(report);
  const targets = checkTargets(report);
  // Quick runs are too small to time: they check that every case runs and loses no token.
  process.stdout.write(options.quick ? `${tables.markdown}\n` : `${tables.markdown}\n\n${targets.markdown}\n`);
  if (!options.quick && options.output) {
    const resultsDir = join(benchDir, "results");
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify({ ...report, summary: tables.summary, targets: targets.rows }, null, 2)}\n`);
    renderCharts(report, tables.summary, resultsDir);
    updateReadme(report, tables.markdown, targets.markdown);
    process.stderr.write(`bench: wrote bench/results/latest.json, chart.svg, h-rss.svg and the README table\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\nbench: ${failures.length} failure(s):\n${failures.join("\n")}\n`);
    process.exit(1);
  }
}

/** Replace the generated section of bench/README.md with this run's tables. */
function updateReadme(report, table, targets) {
  const path = join(benchDir, "README.md");
  const readme = readFileSync(path, "utf8");
  const start = "<!-- results:start -->";
  const end = "<!-- results:end -->";
  const { machine: info } = report;
  const section = [
    start,
    `Run ${report.date} (${report.seconds} s), ${info.nproc} × ${info.cpu}, Node ${info.node}, load average at start ${info.loadAverageAtStart.join(" ")}; ` +
      `weft ${info.versions.weft}, @langchain/langgraph ${info.versions["@langchain/langgraph"]}, @langchain/core ${info.versions["@langchain/core"]}, @langchain/langgraph-api ${info.versions["@langchain/langgraph-api"]}.`,
    "",
    table,
    "",
    targets,
    "",
    "![time per unit, Weft vs LangGraph.js](results/chart.svg)",
    "",
    "![case h: RSS while a slow consumer reads 100,000 tokens](results/h-rss.svg)",
    end,
  ].join("\n");
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < 0) throw new Error("bench/README.md lacks the <!-- results:start --> / <!-- results:end --> markers.");
  writeFileSync(path, readme.slice(0, from) + section + readme.slice(to + end.length));
}

await main();
