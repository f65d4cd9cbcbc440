// Runs the joke/poem graph and prints it as the seed does: a heading per model call, then every
// token as it arrives (or one NDJSON `[chunk, metadata]` line per token with --json).
import { createJokePoemCustomGraph } from "../demo/joke-poem-custom-graph.js";
import { createJokePoemGraph } from "../demo/joke-poem-graph.js";
import { getWriter } from "../runtime/context.js";
import type { DemoModels } from "./demo-models.js";
import { colorByTag } from "./terminal-colors.js";

export type DemoTag = "joke" | "poem";

export interface DemoOptions {
  topic: string;
  /** Show only the tokens with this tag (the seed's filter on `metadata.tags`). */
  only?: DemoTag | undefined;
  /** `messages`: tagged chat models; `custom`: raw token streams through `config.writer`. */
  mode: "messages" | "custom";
  separator: string;
  json: boolean;
  colors: boolean;
}

/** Progress goes through the run's own stream, so "Writing poem..." can never overtake the joke's last tokens. */
interface ProgressEvent {
  demoProgress: string;
}

/** Stream the demo to `write`; aborting `signal` (e.g. the reader closed the pipe) ends it quietly. */
export async function runDemo(models: DemoModels, options: DemoOptions, write: (text: string) => void, signal?: AbortSignal): Promise<void> {
  const onProgress = (message: string) => getWriter()({ demoProgress: message } satisfies ProgressEvent);
  const graph =
    options.mode === "custom"
      ? createJokePoemCustomGraph({ streamTokens: models.streamTokens, onProgress })
      : createJokePoemGraph({ jokeModel: models.jokeModel, poemModel: models.poemModel, onProgress });
  const streamMode = options.mode === "custom" ? (["custom"] as const) : (["messages", "custom"] as const);
  const stream = graph.stream({ topic: options.topic, joke: "", poem: "" }, { streamMode, signal });
  try {
    await printEvents(stream, options, write);
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
}

async function printEvents(stream: AsyncIterable<[string, unknown]>, options: DemoOptions, write: (text: string) => void): Promise<void> {
  const shown = (tags: readonly string[]) => options.only === undefined || tags.includes(options.only);
  let printedHeading = false;
  let finishedShown = false;
  for await (const [, event] of stream) {
    if (isProgress(event)) {
      const tag: DemoTag = event.demoProgress.includes("poem") ? "poem" : "joke";
      // With --only joke nothing after the joke is shown: stop the run instead of waiting for the poem.
      if (options.only !== undefined && tag !== options.only && finishedShown) break;
      if (!shown([tag])) continue;
      finishedShown = true;
      if (!options.json) write(`${printedHeading ? "\n\n" : ""}${event.demoProgress}\n`);
      printedHeading = true;
      continue;
    }
    const [chunk, metadata] = event as [{ content: string }, { tags?: string[] }];
    const tags = metadata.tags ?? [];
    if (!shown(tags)) continue;
    if (options.json) write(`${JSON.stringify([chunk, metadata])}\n`);
    else if (chunk.content !== "") {
      const text = chunk.content + options.separator;
      write(options.colors ? colorByTag(text, tags) : text);
    }
  }
  if (!options.json && printedHeading) write("\n");
}

function isProgress(event: unknown): event is ProgressEvent {
  return typeof event === "object" && event !== null && typeof (event as ProgressEvent).demoProgress === "string";
}
