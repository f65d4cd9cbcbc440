// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript through tsx,
// the package's own "source" export condition so tests use src/ directly), after making sure the
// services the tests need are there (ensure-services.mjs). The whole suite also checks the layering
// of src/ first (.dependency-cruiser.cjs, as `npm run check:layers`); the tests run either way, and
// the command fails if either failed.
// Usage: npm test [-- path/or/substring ...]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MissingService, ensureServices } from "./ensure-services.mjs";

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

const result = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "--test", "--test-concurrency=2", `--test-timeout=${TEST_TIMEOUT_MS}`, ...files],
  { stdio: "inherit" },
);
if (layersFailed) console.error("npm test: the tests exited with %s, and check:layers failed.", result.status);
process.exit(layersFailed ? 1 : (result.status ?? 1));
