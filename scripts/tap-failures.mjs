// Reads the TAP report Node's test runner wrote and lists the tests that failed: each one's path of
// suite and test names, where it is, and the first lines of its error. run-tests.mjs prints this list
// at the end of `npm test`, and .ci/run again at the end of CI, so the failing test is never lost in a
// long log.
import { readFileSync } from "node:fs";

const ERROR_LINES = 6;

/** The failed tests of a TAP report (not the suites that failed only because a test in them did). */
export function tapFailures(tapText) {
  const lines = tapText.split("\n");
  const names = [];
  const failures = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const subtest = /^( *)# Subtest: (.*)$/.exec(line);
    if (subtest) {
      const depth = subtest[1].length / 4;
      names.length = depth;
      names[depth] = subtest[2];
      continue;
    }
    const result = /^( *)not ok \d+ - (.*?)(?: # .*)?$/.exec(line);
    if (!result) continue;
    const depth = result[1].length / 4;
    const details = readYamlBlock(lines, index + 1, result[1].length + 2);
    if (details.failureType === "subtestsFailed") continue;
    failures.push({
      path: [...names.slice(0, depth), result[2]].join(" > "),
      location: details.location ?? "",
      error: (details.error ?? details.failureType ?? "").split("\n").slice(0, ERROR_LINES).join("\n"),
    });
  }
  return failures;
}

/** The failed tests of the TAP file at `path`, as text for a person (empty when none failed). */
export function describeTapFailures(path, heading) {
  const failures = tapFailures(readFileSync(path, "utf8"));
  if (failures.length === 0) return "";
  const items = failures.map(({ path: name, location, error }) => {
    const where = location === "" ? "" : `\n    at ${location}`;
    const why = error === "" ? "" : `\n    ${error.replaceAll("\n", "\n    ")}`;
    return `  ✖ ${name}${where}${why}`;
  });
  return `${heading} (${failures.length}):\n${items.join("\n")}\n`;
}

// The keys this needs from the YAML block after a result line: `location`, `failureType` and
// `error`, which is a quoted scalar or a `|-` block.
function readYamlBlock(lines, start, indent) {
  const pad = " ".repeat(indent);
  const details = {};
  if (lines[start]?.trim() !== "---") return details;
  for (let index = start + 1; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === "...") break;
    const field = new RegExp(`^${pad}(location|failureType|error): (.*)$`).exec(line);
    if (!field) continue;
    const [, key, value] = field;
    if (value === "|-" || value === "|") {
      const block = [];
      for (index++; index < lines.length && lines[index].startsWith(`${pad}  `); index++) block.push(lines[index].slice(indent + 2));
      index--;
      details[key] = block.join("\n");
    } else {
      details[key] = unquote(value);
    }
  }
  return details;
}

function unquote(value) {
  if (value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replaceAll("''", "'");
  if (value.startsWith('"') && value.endsWith('"')) {
    try {
      return JSON.parse(value);
    } catch {
      return value.slice(1, -1);
    }
  }
  return value;
}
