// Shared by the server tests: the seed's graph on scripted models, a server on 127.0.0.1:0,
// and a small SSE reader for raw fetch responses.
import { FakeChatModel } from "weft/testing";
import { createJokePoemGraph } from "../../src/demo/joke-poem-graph.js";
import { type HandlerOptions, type RunningServer, createHandler, serve } from "weft/server";

export const JOKE = ["Why ", "did ", "the ", "cat ", "sit ", "on ", "the ", "computer? ", "To ", "keep ", "an ", "eye ", "on ", "the ", "mouse!"];
export const POEM = ["Soft ", "paws ", "at ", "dawn, ", "a ", "purr ", "like ", "rain; ", "the ", "cat ", "returns ", "to ", "sleep ", "again."];

export function jokePoemGraph(delayMs = 0) {
  const jokeModel = new FakeChatModel({ responses: [JOKE], tags: ["joke"], model: "fake-joke", delayMs });
  const poemModel = new FakeChatModel({ responses: [POEM], tags: ["poem"], model: "fake-poem", delayMs });
  return createJokePoemGraph({ jokeModel, poemModel, name: "joke-poem" });
}

export async function startServer(options: Partial<HandlerOptions> & { delayMs?: number } = {}): Promise<RunningServer> {
  const { delayMs, ...rest } = options;
  const handler = createHandler({ graphs: { "joke-poem": jokePoemGraph(delayMs) }, heartbeatMs: 0, ...rest });
  return serve(handler, { port: 0 });
}

export interface ParsedEvent {
  event: string;
  id: string | undefined;
  data: unknown;
}

/** Every SSE event of a response, in order (comments skipped). */
export async function readSse(response: Response, onEvent?: (event: ParsedEvent) => boolean | void): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: ParsedEvent = { event: "message", id: undefined, data: undefined };
      let hasData = false;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = line.slice(0, colon);
        const text = line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event.event = text;
        else if (field === "id") event.id = text;
        else if (field === "data") {
          event.data = JSON.parse(text);
          hasData = true;
        }
      }
      if (!hasData) continue;
      events.push(event);
      if (onEvent?.(event) === true) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
}
