// The layering of src/ (docs: STYLE.md "Shape of the tree"), checked by `npm run check:layers` and
// by `npm test` before the tests. Layers import only downward:
//   errors.ts <- core <- channels, stream <- runtime <- graph <- models, prebuilt <- server, cli, testing, demo
//                core, stream <- ui (adapters of run streams to UI protocols) <- server, cli, testing, demo
//                core <- checkpoint <- graph
// One rule per layer names the folders it may import; every other src/ import from it is an error.
// Unit tests (*.test.ts) are exempt, and so are the package's entry files (package.json "exports"
// and "bin"), which gather the public API from every layer.
const { readFileSync } = require("node:fs");

/** `src/...` paths of the package's entry files, read from package.json so the list stays true. */
function entryFiles() {
  const manifest = JSON.parse(readFileSync(`${__dirname}/package.json`, "utf8"));
  // Every "source" condition, also those nested under "browser" and the other runtime conditions.
  const sourcesOf = (target) =>
    typeof target !== "object" || target === null
      ? []
      : Object.entries(target).flatMap(([key, value]) => (key === "source" && typeof value === "string" ? [value] : sourcesOf(value)));
  const sources = [...new Set(sourcesOf(manifest.exports))];
  const bins = Object.values(manifest.bin ?? {}).map((bin) => bin.replace(/^\.\/dist\/(.*)\.js$/, "./src/$1.ts"));
  return [...sources, ...bins].map((path) => path.replace(/^\.\//, ""));
}

const escape = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const EXEMPT = ["\\.test\\.ts$", ...entryFiles().map((path) => `^${escape(path)}$`)];

/** A src/ path pattern for each layer (folders end in `/`, single files are exact). */
const LAYERS = {
  errors: "^src/errors\\.ts$",
  core: "^src/core/",
  channels: "^src/channels/",
  stream: "^src/stream/",
  runtime: "^src/runtime/",
  checkpoint: "^src/checkpoint/",
  graph: "^src/graph/",
  models: "^src/models/",
  prebuilt: "^src/prebuilt/",
  ui: "^src/ui/",
  server: "^src/server/",
  cli: "^src/cli/",
  testing: "^src/testing/",
  demo: "^src/demo/",
  /** The public API (src/index.ts), which prebuilt/ is built from. */
  publicApi: "^src/index\\.ts$",
};

/** Files directly in src/ other than errors.ts and index.ts: reported once, by layer-unplaced. */
const UNPLACED = "^src/(?!errors\\.ts$|index\\.ts$)[^/]+$";

/** A rule: files of `layer` may import (within src/) only their own layer and `allowed`. */
function layer(name, allowed, comment) {
  return {
    name: `layer-${name}`,
    comment,
    severity: "error",
    from: { path: LAYERS[name], pathNot: EXEMPT },
    to: { path: "^src/", pathNot: [UNPLACED, ...[name, ...allowed].map((each) => LAYERS[each])] },
  };
}

const BELOW_GRAPH = ["runtime", "checkpoint", "channels", "stream", "core", "errors"];
const BELOW_TOP = ["models", "prebuilt", "ui", "graph", ...BELOW_GRAPH];

module.exports = {
  forbidden: [
    layer("errors", [], "src/errors.ts is the bottom: it imports nothing from src/."),
    layer("core", ["errors"], "core/ (graph spec, START/END, Send, Command, task and checkpoint types) imports only errors.ts."),
    layer("channels", ["core", "errors"], "channels/ imports only core/ and errors.ts (not stream/: the two are independent)."),
    layer("stream", ["core", "errors"], "stream/ imports only core/ and errors.ts (not channels/: the two are independent)."),
    layer("runtime", ["core", "channels", "stream", "errors"], "runtime/ (the superstep engine) imports core/, channels/, stream/ and errors.ts."),
    layer("checkpoint", ["core", "errors"], "checkpoint/ (savers and their conformance suite) imports only core/ and errors.ts."),
    layer("graph", BELOW_GRAPH, "graph/ (the builder) imports runtime/, checkpoint/ and below; nothing from models/, prebuilt/ or the top."),
    layer("models", ["graph", ...BELOW_GRAPH], "models/ imports graph/ and below; not prebuilt/, nor server/, cli/, testing/, demo/."),
    layer("prebuilt", ["publicApi", "models", "graph", ...BELOW_GRAPH], "prebuilt/ is built from the public API (src/index.ts), models/, graph/ and below; not server/, cli/, testing/, demo/."),
    layer("ui", ["stream", "core", "errors"], "ui/ (run streams in UI protocols: the AI SDK's UI message stream) reads what a run yields: stream/, core/ and errors.ts only."),
    layer("testing", BELOW_TOP, "testing/ (weft/testing) imports models/, prebuilt/ and below; not server/, cli/, demo/."),
    layer("demo", ["testing", ...BELOW_TOP], "demo/ (the seed's graphs) imports testing/ and below; not server/, cli/."),
    layer("server", ["demo", "testing", ...BELOW_TOP], "server/ imports anything below it; not cli/."),
    layer("cli", ["server", "demo", "testing", ...BELOW_TOP], "cli/ is the top: it imports anything."),
    {
      name: "layer-unplaced",
      comment: "Every file of src/ belongs to a layer folder; only index.ts and errors.ts sit in src/ itself.",
      severity: "error",
      from: { path: "^src/", pathNot: EXEMPT },
      to: { path: UNPLACED },
    },
    {
      name: "no-folder-cycles",
      comment: "No cycle between two folders (the layer rules above already forbid most); cycles inside one folder are fine.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: "^src/",
    exclude: { path: "\\.test\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { conditionNames: ["source", "import", "default"], extensions: [".ts", ".js"] },
    reporterOptions: { text: { highlightFocused: false } },
  },
};
