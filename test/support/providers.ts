// Shared by the AI SDK and LangChain.js adapter tests: the AI SDK provider versions this Node can run,
// the seed's one-node graph, stream draining, and the server-side abort latency measurement.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { AIMessageChunk, START, StateGraph, WeftError, type MessageMetadata, type MessagesModeChunk, type NodeConfig } from "weft";
import { startAnthropicServer, type AnthropicScriptedResponse, type AnthropicServer } from "weft/testing";

const require = createRequire(import.meta.url);

export const JOKE = ["Why ", "did ", "the ", "cat ", "sit ", "on ", "the ", "computer? ", "To ", "keep ", "an ", "eye ", "on ", "the ", "mouse!"];
export const POEM = ["Soft ", "paws ", "at ", "dawn, ", "a ", "purr ", "like ", "rain; ", "the ", "cat ", "returns ", "to ", "sleep ", "again."];
export const MODEL = "claude-sonnet-4-5";

type CreateAnthropic = (settings: { baseURL: string; apiKey: string }) => (modelId: string) => any;

/** One installed @ai-sdk/anthropic major: AI SDK 5 (LanguageModelV2), 6 (V3), 7 (V4). */
export interface AnthropicProvider {
  /** The name it is installed under (an npm alias for the older majors). */
  packageName: string;
  version: string;
  specificationVersion: "v2" | "v3" | "v4";
  createAnthropic: CreateAnthropic;
}

const INSTALLED = [
  { packageName: "@ai-sdk/anthropic-v2", specificationVersion: "v2" },
  { packageName: "@ai-sdk/anthropic-v3", specificationVersion: "v3" },
  { packageName: "@ai-sdk/anthropic", specificationVersion: "v4" },
] as const;

/**
 * Every installed provider major, on every Node Weft supports: the v4 packages declare Node >= 22 in
 * `engines`, and they pass these tests on Node 20 too.
 */
export async function anthropicProviders(): Promise<AnthropicProvider[]> {
  const providers: AnthropicProvider[] = [];
  for (const { packageName, specificationVersion } of INSTALLED) {
    const manifest = require(`${packageName}/package.json`) as { version: string };
    const module = (await import(packageName)) as { createAnthropic: CreateAnthropic };
    providers.push({ packageName, version: manifest.version, specificationVersion, createAnthropic: module.createAnthropic });
  }
  return providers;
}

export async function withAnthropicServer<Result>(responses: AnthropicScriptedResponse[], run: (server: AnthropicServer) => Promise<Result>): Promise<Result> {
  const server = await startAnthropicServer({ responses });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

export type Chunk = [AIMessageChunk, MessageMetadata];

/** A one-node graph whose node runs `call` with its config, as a LangGraph.js node would. */
export function oneNodeGraph(call: (config: NodeConfig) => Promise<unknown>) {
  type State = { result: unknown };
  return new StateGraph<State>()
    .addNode("write", async (_state: State, config: NodeConfig) => ({ result: await call(config) }))
    .addEdge(START, "write")
    .compile();
}

/**
 * Drain a messages-mode stream: every chunk with its metadata, and the error it ended with. Each item
 * must be a model's chunk: an answer streamed as chunks is never streamed again as a whole message.
 */
export async function drain(stream: AsyncIterable<MessagesModeChunk>): Promise<{ chunks: Chunk[]; error: unknown }> {
  const chunks: Chunk[] = [];
  try {
    for await (const [message, metadata] of stream) {
      assert.ok(message instanceof AIMessageChunk, `a whole ${message.type} message in the stream: ${JSON.stringify(message)}`);
      chunks.push([message, metadata]);
    }
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

export function texts(chunks: readonly Chunk[]): string[] {
  return chunks.filter(([chunk]) => chunk.content !== "").map(([chunk]) => chunk.content);
}

export function isWeftError(error: unknown, code: string): error is WeftError {
  return WeftError.isInstance(error) && error.code === code;
}

/** The metadata every chunk of a model call in node "write" of `oneNodeGraph` carries, besides the model's own keys. */
export function nodeMetadata(checkpointNs: string): Record<string, unknown> {
  return {
    langgraph_step: 1,
    langgraph_node: "write",
    langgraph_triggers: ["branch:to:write"],
    langgraph_path: ["__pregel_pull", "write"],
    langgraph_checkpoint_ns: checkpointNs,
    checkpoint_ns: checkpointNs,
  };
}

/** What one abort attempt reports: the tokens seen, the error, and ms from abort() to the server seeing the socket close. */
export interface AbortAttempt {
  seen: string[];
  error: unknown;
  completed: boolean;
  latencyMs: number;
}

/**
 * Stream POEM from a server that stalls after 3 tokens, call `abort` after the third, and measure on
 * the server side until the socket closes. Every attempt must close it (within 2 s).
 */
export async function abortOnce(start: (server: AnthropicServer) => { tokens: AsyncIterable<string>; abort: () => void }): Promise<AbortAttempt> {
  return withAnthropicServer([{ text: POEM, stallAfterChunks: 3 }], async (server) => {
    const { tokens, abort } = start(server);
    const seen: string[] = [];
    let abortedAt = 0;
    let error: unknown;
    try {
      for await (const token of tokens) {
        seen.push(token);
        if (seen.length === 3) {
          abortedAt = performance.now();
          abort();
        }
      }
    } catch (caught) {
      error = caught;
    }
    let guard: NodeJS.Timeout | undefined;
    const stillOpen = new Promise<never>((_, reject) => {
      guard = setTimeout(() => reject(new Error("the server still had the socket open 2 s after the abort")), 2_000);
    });
    const closed = await Promise.race([server.requests[0]!.closed, stillOpen]).finally(() => clearTimeout(guard));
    return { seen, error, completed: closed.completed, latencyMs: closed.at - abortedAt };
  });
}

export const ABORT_ATTEMPTS = 20;

/**
 * Run `ABORT_ATTEMPTS` aborts and bound the 90th percentile of the server-side close latency by 50 ms
 * (on a loaded 2-core machine one attempt may be descheduled; a percentile, not the best attempt).
 */
export async function assertAbortCloses(
  label: string,
  diagnostic: (message: string) => void,
  start: (server: AnthropicServer) => { tokens: AsyncIterable<string>; abort: () => void },
  check: (attempt: AbortAttempt) => void,
): Promise<void> {
  const attempts: AbortAttempt[] = [];
  for (let attempt = 0; attempt < ABORT_ATTEMPTS; attempt++) attempts.push(await abortOnce(start));
  for (const attempt of attempts) {
    assert.deepEqual(attempt.seen, POEM.slice(0, 3), label);
    assert.equal(attempt.completed, false, label);
    check(attempt);
  }
  const latencies = attempts.map((attempt) => attempt.latencyMs).sort((a, b) => a - b);
  const p90 = latencies[Math.ceil(0.9 * latencies.length) - 1]!;
  const figures = `${label}: socket closed after abort, p90 ${p90.toFixed(2)} ms of ${latencies.map((ms) => ms.toFixed(1)).join(", ")} ms`;
  diagnostic(figures);
  assert.ok(p90 < 50, figures);
}

/** The text tokens of a messages-mode graph stream. */
export async function* contents(stream: AsyncIterable<MessagesModeChunk>): AsyncGenerator<string> {
  for await (const [chunk] of stream) if (typeof chunk.content === "string" && chunk.content !== "") yield chunk.content;
}
