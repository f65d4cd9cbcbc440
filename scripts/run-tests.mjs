// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript through tsx,
// the package's own "source" export condition so tests use src/ directly), after making sure the
// services the tests need are there (ensure-services.mjs).
// Usage: npm test [-- path/or/substring ...]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MissingService, ensureServices } from "./ensure-services.mjs";

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

try {
  await ensureServices();
} catch (error) {
  if (!(error instanceof MissingService)) throw error;
  console.error(`ensure-services: ${error.message}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ["--conditions=source", "--import", "tsx", "--test", "--test-concurrency=2", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
