// What every browser test shares: Debian's Chromium launched headless as the machine allows it, a
// React page bundled for it with esbuild, and a watch on the page that collects failed requests and
// console errors for the test to assert empty. Fails, not skips, when Chromium is missing.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { build } from "esbuild";
import { type Browser, type Page, chromium } from "playwright-core";

export const CHROMIUM = process.env.WEFT_CHROMIUM ?? "/usr/bin/chromium";

/** Headless Chromium with the flags this machine's closed network needs. */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium is not at ${CHROMIUM}; install it with \`apt-get install -y chromium\` (or set WEFT_CHROMIUM).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * The page's script, bundled with React in development mode (its warnings reach the console).
 * `alias` swaps packages (esbuild's alias: subpaths follow), e.g. to run one page on two versions of a hook.
 */
export async function bundlePage(entry: string, format: "iife" | "esm" = "iife", alias: Record<string, string> = {}): Promise<string> {
  const built = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format,
    target: "es2022",
    alias,
    define: { "process.env.NODE_ENV": '"development"' },
    write: false,
    logLevel: "silent",
  });
  return built.outputFiles[0]!.text;
}

/** Failed requests (`METHOD /path reason`), answers with an HTTP status >= 400 (`METHOD /path status`) and console errors of `page`, from now on. */
export function watchPage(page: Page): { failedRequests: string[]; errorResponses: string[]; consoleErrors: string[] } {
  const failedRequests: string[] = [];
  const errorResponses: string[] = [];
  const consoleErrors: string[] = [];
  page.on("requestfailed", (request) => failedRequests.push(`${request.method()} ${new URL(request.url()).pathname} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) errorResponses.push(`${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  return { failedRequests, errorResponses, consoleErrors };
}
