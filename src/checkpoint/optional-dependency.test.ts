import assert from "node:assert/strict";
import { it } from "node:test";
import { loadOptional } from "./optional-dependency.js";

it("a missing optional package is a MISSING_DEPENDENCY error that says how to install it", () => {
  assert.throws(() => loadOptional("weft-no-such-package", "SomeSaver"), (error: Error & { code?: string }) => {
    assert.equal(error.code, "MISSING_DEPENDENCY");
    assert.match(error.message, /SomeSaver needs the "weft-no-such-package" package.*npm install weft-no-such-package/);
    return true;
  });
  assert.equal(typeof loadOptional<unknown>("better-sqlite3", "SqliteSaver"), "function");
});
