// examples/next-chat: its route handlers (chat, resume, stop) imported as Next.js loads them and driven
// with Requests, the agent's ChatOpenAI pointed at a local OpenAI-compatible server (OPENAI_BASE_URL).
import assert from "node:assert/strict";
import { register } from "node:module";
import { after, before, describe, it } from "node:test";
import { type UIMessage as AIUIMessage, type UIMessageChunk as AIUIMessageChunk, parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema } from "ai";
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from "weft/testing";

// The example is a package of its own that depends on "weft" (installed by its own npm install); here its
// imports of weft resolve to this repository, as they would from the test.
const resolveWeftHere = `export function resolve(specifier, context, next) {
  const fromExample = context.parentURL !== undefined && context.parentURL.includes("/examples/next-chat/");
  return next(specifier, fromExample && (specifier === "weft" || specifier.startsWith("weft/")) ? { ...context, parentURL: ${JSON.stringify(import.meta.url)} } : context);
}`;
register(`data:text/javascript,${encodeURIComponent(resolveWeftHere)}`);

type RouteContext = { params: Promise<{ id: string }> };
let server: OpenAICompatibleServer;
let chat: { POST(request: Request): Promise<Response> };
let resume: { GET(request: Request, context: RouteContext): Promise<Response> };
let stop: { POST(request: Request, context: RouteContext): Promise<Response> };
let streams: { has(id: string): boolean };

const params = (id: string): RouteContext => ({ params: Promise.resolve({ id }) });
const post = (id: string, text: string) =>
  chat.POST(new Request("http://localhost/api/chat", { method: "POST", body: JSON.stringify({ id, messages: [{ id: `${id}-user`, role: "user", parts: [{ type: "text", text }] }] }) }));

/** The chunks of a response as the AI SDK's client parses them; `until` stops reading early (as useChat's stop() does). */
async function read(response: Response, until?: (chunks: AIUIMessageChunk[]) => boolean): Promise<AIUIMessageChunk[]> {
  const chunks: AIUIMessageChunk[] = [];
  const reader = parseJsonEventStream({ stream: response.body!, schema: uiMessageChunkSchema }).getReader();
  for (let result = await reader.read(); !result.done; result = await reader.read()) {
    assert.ok(result.value.success, "the AI SDK accepts every chunk");
    chunks.push(result.value.value);
    if (until?.(chunks) === true) {
      await reader.cancel();
      break;
    }
  }
  return chunks;
}

async function assemble(chunks: readonly AIUIMessageChunk[]): Promise<AIUIMessage> {
  let last: AIUIMessage | undefined;
  const stream = new ReadableStream<AIUIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const snapshot of readUIMessageStream({ stream, terminateOnError: true })) last = snapshot;
  return last!;
}

describe("examples/next-chat route handlers", () => {
  before(async () => {
    server = await startOpenAICompatibleServer({
      responses: [
        { toolCalls: [{ id: "call_1", name: "get_weather", arguments: ['{"city":', '"Oslo"}'] }] },
        { text: ["It ", "is ", "sunny."] },
        // A long answer that stops sending after two tokens and keeps its connection open: a run to stop.
        { text: ["One ", "two ", "three ", "four."], stallAfterChunks: 2 },
      ],
    });
    process.env.OPENAI_BASE_URL = server.url;
    process.env.OPENAI_API_KEY = "test-key";
    // Loaded by URL after OPENAI_BASE_URL is set (the agent's ChatOpenAI reads it when the module loads).
    const load = (path: string) => import(new URL(`../examples/next-chat/${path}`, import.meta.url).href);
    chat = await load("app/api/chat/route.ts");
    resume = await load("app/api/chat/[id]/stream/route.ts");
    stop = await load("app/api/chat/[id]/stop/route.ts");
    ({ streams } = await load("lib/streams.ts"));
  });
  after(async () => {
    delete process.env.OPENAI_BASE_URL;
    delete process.env.OPENAI_API_KEY;
    await server.close();
  });

  it("POST /api/chat answers a turn as useChat reads it: the tool part with its result and data part, then the text", async () => {
    const response = await post("chat-1", "Weather in Oslo?");
    assert.equal(response.headers.get("x-vercel-ai-ui-message-stream"), "v1");
    const message = await assemble(await read(response));
    assert.deepEqual(JSON.parse(JSON.stringify(message.parts.filter((part) => part.type !== "step-start"))), [
      { type: "tool-get_weather", toolCallId: "call_1", state: "output-available", input: { city: "Oslo" }, output: "Sunny and 21°C in Oslo" },
      { type: "data-weather", id: "Oslo", data: { city: "Oslo", status: "looking up" } },
      { type: "text", text: "It is sunny.", state: "done" },
    ]);
    assert.equal((await resume.GET(new Request("http://localhost/api/chat/chat-1/stream"), params("chat-1"))).status, 204, "a finished answer is not resumed");
  });

  it("the run goes on when the page stops reading (resumable), and POST /api/chat/:id/stop cancels it", async () => {
    const response = await post("chat-2", "Count");
    const isText = (chunk: AIUIMessageChunk) => chunk.type === "text-delta";
    const seen = await read(response, (chunks) => chunks.filter(isText).length === 2);
    assert.deepEqual(seen.filter(isText).map((chunk) => (chunk as { delta: string }).delta), ["One ", "two "]);
    // useChat's stop() only stops reading: the response is still active and a reload resumes it from its start.
    assert.equal(streams.has("chat-2"), true);
    const resumed = await resume.GET(new Request("http://localhost/api/chat/chat-2/stream"), params("chat-2"));
    assert.equal(resumed.status, 200);
    assert.deepEqual(
      (await read(resumed, (chunks) => chunks.filter(isText).length === 2)).filter(isText).map((chunk) => (chunk as { delta: string }).delta),
      ["One ", "two "],
    );
    const modelCall = await server.waitForRequest(2);

    const stopped = await stop.POST(new Request("http://localhost/api/chat/chat-2/stop", { method: "POST" }), params("chat-2"));
    assert.equal(stopped.status, 204);
    const closed = await modelCall.closed;
    assert.deepEqual([closed.completed, closed.chunksSent], [false, 2], "the run was cancelled: its model request was cut after two tokens");
    assert.equal(streams.has("chat-2"), false);
    assert.equal((await resume.GET(new Request("http://localhost/api/chat/chat-2/stream"), params("chat-2"))).status, 204);
    assert.equal(server.requests.length, 3, "no model call after the stop");
  });
});
