// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript through tsx,
// the package's own "source" export condition so tests use src/ directly), after making sure the
// services the tests need are there (ensure-services.mjs). The whole suite also checks the layering
// of src/ first (.dependency-cruiser.cjs, as `npm run check:layers`); the tests run either way, and
// the command fails if either failed.
// Files that bound a latency (a line `// npm test runs this file alone`) run after the others, one at a
// time, so that no other test file shares the 2 cores while they measure.
// The tests that failed are listed again at the end, and kept in test-output/failures-<node>.txt,
// which .ci/run prints at the very end of CI.
// Usage: npm test [-- path/or/substring ...]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissingService, ensureServices } from "./ensure-services.mjs";
import { describeTapFailures } from "./tap-failures.mjs";

// A test that hangs fails after this long instead of holding the suite (the slowest test takes ~20 s).
const TEST_TIMEOUT_MS = 240_000;
const DEPCRUISE = "node_modules/dependency-cruiser/bin/dependency-cruise.mjs";

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith(".test.ts")) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = ["src", "test"]
  .flatMap((dir) => findTests(dir))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`No test files match ${filters.join(" ")}`);
  process.exit(1);
}

console.log(`npm test on Node ${process.version}: ${files.length} test files`);
try {
  await ensureServices();
} catch (error) {
  if (!(error instanceof MissingService)) throw error;
  console.error(`ensure-services: ${error.message}`);
  process.exit(1);
}

let layersFailed = false;
if (filters.length === 0) {
  console.log("check:layers (dependency-cruiser, .dependency-cruiser.cjs)");
  const layers = spawnSync(process.execPath, [DEPCRUISE, "src", "--config", ".dependency-cruiser.cjs"], { stdio: "inherit" });
  layersFailed = layers.status !== 0;
  if (layersFailed) console.error("check:layers failed (above); running the tests anyway, and npm test will fail.");
}

const OUTPUT = "test-output";
const failuresFile = join(OUTPUT, `failures-node-${process.version}.txt`);
mkdirSync(OUTPUT, { recursive: true });
rmSync(failuresFile, { force: true });

const runsAlone = (file) => /^\/\/ npm test runs this file alone/m.test(readFileSync(file, "utf8"));
const phases = [
  { name: "together", concurrency: 2, files: files.filter((file) => !runsAlone(file)) },
  { name: "alone", concurrency: 1, files: files.filter(runsAlone) },
].filter((phase) => phase.files.length > 0);

let testsFailed = false;
let failures = "";
for (const phase of phases) {
  if (phases.length > 1) console.log(`\nnpm test: ${phase.files.length} test files, ${phase.concurrency} at a time (${phase.name})`);
  const tap = join(OUTPUT, `tap-node-${process.version}-${phase.name}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      "--conditions=source", "--import", "tsx", "--test", `--test-concurrency=${phase.concurrency}`, `--test-timeout=${TEST_TIMEOUT_MS}`,
      "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tap}`,
      ...phase.files,
    ],
    { stdio: "inherit" },
  );
  if (result.status !== 0) testsFailed = true;
  const listed = existsSync(tap) ? describeTapFailures(tap, `failing tests on Node ${process.version} (${phase.name})`) : "";
  failures += listed;
  if (result.status !== 0 && listed === "") failures += `the ${phase.name} test run on Node ${process.version} exited with ${result.status ?? result.signal} and named no failed test (see above)\n`;
}
if (failures !== "") {
  writeFileSync(failuresFile, failures);
  console.error(`\n${failures}`);
}
if (layersFailed) console.error("npm test: the tests %s, and check:layers failed.", testsFailed ? "failed" : "passed");
process.exit(layersFailed || testsFailed ? 1 : 0);
