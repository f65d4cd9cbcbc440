// Optional peer packages (better-sqlite3, pg) load only when a saver that needs them is created.
import { createRequire } from "node:module";
import { WeftError } from "../errors.js";

const requireFromHere = createRequire(import.meta.url);

/** `require(name)`, or a MISSING_DEPENDENCY WeftError that says how to install it. */
export function loadOptional<Module>(name: string, usedBy: string): Module {
  try {
    return requireFromHere(name) as Module;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") {
      throw new WeftError("MISSING_DEPENDENCY", `${usedBy} needs the "${name}" package, which is not installed. Install it with: npm install ${name}`, {
        cause: error,
        details: { package: name },
      });
    }
    throw error;
  }
}
