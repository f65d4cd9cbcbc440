// The chat page `weft serve` shows at GET / (demo-chat/page.ts): HTML with the page's script inline.
// The script is bundled once: at `npm run build` into dist (scripts/build-demo-chat.mjs), or, running
// from source, on first use with esbuild (a development dependency), so the page is always today's.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WeftError, describeError } from "../errors.js";

const BUILT = fileURLToPath(new URL("./demo-chat/app.js", import.meta.url));
// page.ts running from source; page.js in dist (the build bundles the compiled page).
const ENTRY = ["./demo-chat/page.ts", "./demo-chat/page.js"].map((path) => fileURLToPath(new URL(path, import.meta.url))).find((path) => existsSync(path));

/** What the page's bundling needs of esbuild (a development dependency, not a dependency of the package). */
interface Bundler {
  build(options: Record<string, unknown>): Promise<{ outputFiles: Array<{ text: string }> }>;
}

let script: Promise<string> | undefined;

/** The page for `assistantId` (a graph with a `messages` state, such as createReactAgent's). */
export async function demoChatPage(assistantId: string): Promise<string> {
  script ??= loadScript();
  const code = (await script).replaceAll("</script", "<\\/script");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Weft — chat</title>
<link rel="icon" href="data:,">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; }
  .layout { display: grid; grid-template-columns: 14rem 1fr; min-height: 100vh; }
  nav { border-right: 1px solid #ddd; padding: 1rem; background: #fafafa; }
  nav ul { list-style: none; padding: 0; font-size: .9rem; }
  nav li.current a { font-weight: bold; }
  main { max-width: 48rem; padding: 1rem 2rem; }
  ol { list-style: none; padding: 0; }
  li.user { text-align: right; }
  li.user p { display: inline-block; background: #e8f0fe; border-radius: .75rem; padding: .25rem .75rem; }
  .tool { border: 1px solid #ccc; border-radius: .5rem; padding: .5rem; margin: .5rem 0; display: grid; gap: .25rem; font-size: .9rem; }
  .tool.failed { border-color: #d33; }
  details.reasoning { color: #666; font-size: .9rem; }
  form { display: flex; gap: .5rem; position: sticky; bottom: 0; background: #fff; padding: .5rem 0; }
  input { flex: 1; padding: .5rem; font: inherit; }
  button { padding: .5rem 1rem; font: inherit; }
</style>
</head>
<body>
<div id="root" data-assistant="${escapeAttribute(assistantId)}"></div>
<script type="module">${code}</script>
</body>
</html>`;
}

async function loadScript(): Promise<string> {
  return existsSync(BUILT) ? readFileSync(BUILT, "utf8") : buildDemoChatScript();
}

/** Bundle the page's script: one ES module with React and the AI SDK in it (what `npm run build` writes to dist). */
export async function buildDemoChatScript(): Promise<string> {
  let esbuild: Bundler;
  try {
    esbuild = (await import("esbuild")) as unknown as Bundler;
  } catch (error) {
    throw new WeftError("MISSING_DEPENDENCY", `The chat page's script is not built (${BUILT}); run \`npm run build\`, or install esbuild to build it on the fly. (${describeError(error)})`, { cause: error });
  }
  if (ENTRY === undefined) throw new WeftError("MISSING_DEPENDENCY", `The chat page's source is missing beside ${BUILT}; reinstall weft.`);
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

function escapeAttribute(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
}
