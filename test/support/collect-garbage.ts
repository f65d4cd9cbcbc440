// V8's full garbage collection for a test, made in a context of its own: the --expose-gc flag is on only
// while the function is made, so no later context gets a `gc` global.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc");
  try {
    return runInNewContext("gc") as () => void;
  } finally {
    if (!process.execArgv.includes("--expose-gc")) setFlagsFromString("--no-expose-gc");
  }
})();
