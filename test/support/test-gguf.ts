// Where the tests find the real test model: ../shared/models/stories260K.gguf beside the repository,
// or WEFT_TEST_GGUF. A missing file fails the test with what to do; it is never skipped.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

export const REPOSITORY_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The path of stories260K.gguf; throws (failing the calling test) when the file is not there. */
export function requireTestGguf(): string {
  const path = process.env.WEFT_TEST_GGUF
    ? resolve(process.env.WEFT_TEST_GGUF)
    : resolve(REPOSITORY_ROOT, "../shared/models/stories260K.gguf");
  if (!existsSync(path)) {
    throw new Error(
      `The test model is missing: no file at ${path}. These tests need stories260K.gguf (a 1.2 MB Llama model); ` +
        "put it at ../shared/models/stories260K.gguf next to the repository, or set WEFT_TEST_GGUF to its path.",
    );
  }
  return path;
}
