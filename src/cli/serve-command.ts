// `weft serve [module]`: serve the compiled graphs a module exports (the seed's joke/poem demo by
// default) over the LangGraph-compatible HTTP/SSE API, with the browser demo page at GET /.
import { mkdirSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Command, InvalidArgumentError } from "commander";
import { createJokePoemGraph } from "../demo/joke-poem-graph.js";
import { createDemoAgent } from "../demo/agent-demo.js";
import { WeatherDemoModel } from "../demo/weather-demo-model.js";
import { WeftError, describeError } from "../errors.js";
import { CompiledGraph } from "../graph/compiled-graph.js";
import { createHandler } from "../server/handler.js";
import { demoChatPage } from "../server/demo-chat-page.js";
import { demoPage } from "../server/demo-page.js";
import type { EventLog } from "../server/event-log.js";
import { type RunningServer, serve } from "../server/node-adapter.js";
import { MemoryEventLog } from "../server/memory-event-log.js";
import { createRedisEventLog } from "../server/redis-event-log.js";
import { createBullmqRunQueue } from "../server/bullmq-run-queue.js";
import { MemoryRecordStore } from "../server/memory-record-store.js";
import type { RecordStore } from "../server/record-store.js";
import type { RunQueue } from "../server/run-queue.js";
import type { AnyGraph } from "../server/run-manager.js";
import type { Checkpointer } from "../core/checkpointer.js";
import { TinyChatModel } from "../models/tiny/index.js";

export interface ServeCommandOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** Redis URL for the shared event log (several instances). */
  redis?: string;
  redisPrefix?: string;
  /** Postgres connection string for checkpoints (graphs without their own checkpointer). */
  postgres?: string;
  postgresSchema?: string;
  corsOrigin?: string[];
  maxBodyBytes?: number;
  /** Tokens per second of the demo's tiny model (default 25), so the page fills visibly. */
  pace?: number;
  /** Sampling seed of the demo's tiny model. */
  seed?: number;
  /** Folder of the embedded SQLite files (records, checkpoints and events) when there is no --postgres. Default ".weft". */
  dataDir?: string;
  /** Keep records, checkpoints and events in memory only (nothing survives the process). */
  memory?: boolean;
  /** Only answer the API (runs are executed by worker processes). */
  apiOnly?: boolean;
  /** Only execute runs (no HTTP API). */
  workerOnly?: boolean;
  /** Lease of a run's worker in ms (a dead worker's run moves on after it). Default 30,000. */
  leaseMs?: number;
  /** Attempts a run gets. Default 3. */
  maxAttempts?: number;
  /** Milliseconds SIGTERM lets runs finish before handing them back. Default 30,000. */
  drainMs?: number;
  /** Milliseconds finished runs are kept. Default 7 days. */
  runRetentionMs?: number;
  /** Milliseconds idle threads are kept. Default forever. */
  threadRetentionMs?: number;
  /** Bytes of event JSON each run's log keeps (older events are dropped, readers told). Default 8 MiB. */
  eventBytesPerRun?: number;
  /** Milliseconds a finished run's events are kept for clients to resume. Default 10 minutes. */
  eventTtlMs?: number;
  /** Give the memory a burst of runs left behind back to the OS when idle (serve()'s reclaimIdleMemory). Default true. */
  reclaimIdleMemory?: boolean;
}

/**
 * The demo assistants, offline and paced so the pages fill visibly: "agent", the weather agent of the
 * chat page at /, and "joke-poem", the seed's graph on the built-in tiny model (models tagged "joke" and "poem").
 */
export function demoGraphs(options: { tokensPerSecond?: number; seed?: number } = {}): Record<string, AnyGraph> {
  const settings = { tokensPerSecond: options.tokensPerSecond ?? 25, seed: options.seed };
  const jokeModel = new TinyChatModel({ ...settings, tags: ["joke"] });
  const poemModel = new TinyChatModel({ ...settings, tags: ["poem"] });
  return {
    agent: createDemoAgent(new WeatherDemoModel({ tokensPerSecond: settings.tokensPerSecond })),
    "joke-poem": createJokePoemGraph({ jokeModel, poemModel, name: "joke-poem" }),
  };
}

/**
 * The pages: the chat page at / for the first assistant with a `messages` state (the demo's "agent"),
 * and the joke/poem page of the seed, at /joke-poem for the demo, or at / for a module without a chat graph.
 */
async function pagesFor(graphs: Record<string, AnyGraph>, demo: boolean): Promise<Record<string, string>> {
  const chat = Object.keys(graphs).find((id) => graphs[id]!.graphSpec.schema?.messages !== undefined);
  const pages: Record<string, string> = {};
  if (chat !== undefined) pages["/"] = await demoChatPage(chat);
  if (demo) pages["/joke-poem"] = demoPage("joke-poem");
  else if (chat === undefined) pages["/"] = demoPage(Object.keys(graphs)[0]!);
  return pages;
}

/** The compiled graphs a module exports, by export name (`default` takes the file's name). */
export async function loadGraphs(modulePath: string): Promise<Record<string, AnyGraph>> {
  const absolute = resolve(modulePath);
  if (/\.[mc]?tsx?$/.test(absolute)) await registerTypeScript(modulePath);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new WeftError("INVALID_OPTIONS", `Cannot import ${modulePath}: ${describeError(error)}`, { cause: error });
  }
  const graphs: Record<string, AnyGraph> = {};
  for (const [name, value] of Object.entries(loaded)) {
    if (!(value instanceof CompiledGraph)) continue;
    graphs[name === "default" ? basename(absolute, extname(absolute)) : name] = value;
  }
  if (Object.keys(graphs).length === 0) {
    throw new WeftError("INVALID_OPTIONS", `${modulePath} exports no compiled graph; export one, e.g. \`export const agent = builder.compile();\`.`);
  }
  return graphs;
}

/** Node cannot import TypeScript itself: register tsx's loader once, before importing a .ts module. */
let typeScriptRegistered = false;
async function registerTypeScript(modulePath: string): Promise<void> {
  // Already loadable when Node runs under tsx (or strips types itself).
  if (typeScriptRegistered || process.execArgv.some((argument) => /tsx/.test(argument))) return;
  try {
    const { register } = (await import("tsx/esm/api")) as { register: () => unknown };
    register();
    typeScriptRegistered = true;
  } catch (error) {
    throw new WeftError("MISSING_DEPENDENCY", `Serving ${modulePath} needs the "tsx" package to load TypeScript: npm install tsx. (${describeError(error)})`, { cause: error });
  }
}

/** Start the server as `weft serve` does; resolves once it listens. */
export async function startServe(modulePath: string | undefined, options: ServeCommandOptions = {}): Promise<RunningServer> {
  const graphs = modulePath === undefined ? demoGraphs({ tokensPerSecond: options.pace, seed: options.seed }) : await loadGraphs(modulePath);
  if (options.apiOnly && options.workerOnly) throw new WeftError("INVALID_OPTIONS", "Pass --api-only or --worker-only, not both.");
  let eventLog: EventLog | undefined;
  let queue: RunQueue | undefined;
  let store: RecordStore;
  let checkpointer: (Checkpointer & { close?: () => Promise<void> | void }) | undefined;
  const eventBounds = { maxBytesPerRun: options.eventBytesPerRun, ttlMs: options.eventTtlMs };
  if (options.redis !== undefined) {
    eventLog = await createRedisEventLog({ url: options.redis, keyPrefix: options.redisPrefix, ...eventBounds });
    queue = await createBullmqRunQueue({ url: options.redis, prefix: `${options.redisPrefix ?? "weft:"}queue`, leaseMs: options.leaseMs });
  }
  if (options.postgres !== undefined) {
    const { PostgresSaver } = await import("../checkpoint/postgres/index.js");
    const { PostgresRecordStore } = await import("../server/postgres-record-store.js");
    const saver = new PostgresSaver(options.postgres, { schema: options.postgresSchema });
    await saver.setup();
    checkpointer = saver;
    store = new PostgresRecordStore(options.postgres, { schema: options.postgresSchema });
    if (eventLog === undefined) {
      // Without Redis, events and cancel requests go through Postgres too (a table, LISTEN/NOTIFY),
      // so instances on one database stream, resume and cancel each other's runs.
      const { createPostgresEventLog } = await import("../server/postgres-event-log.js");
      eventLog = await createPostgresEventLog(options.postgres, { schema: options.postgresSchema, ...eventBounds });
    }
  } else if (options.memory) {
    store = new MemoryRecordStore();
  } else {
    // The embedded default: records and checkpoints in SQLite files, kept across restarts.
    const dataDir = resolve(options.dataDir ?? ".weft");
    mkdirSync(dataDir, { recursive: true });
    const { SqliteSaver } = await import("../checkpoint/sqlite/index.js");
    const { SqliteRecordStore } = await import("../server/sqlite-record-store.js");
    checkpointer = new SqliteSaver(join(dataDir, "checkpoints.db"));
    store = new SqliteRecordStore(join(dataDir, "records.db"));
    if (eventLog === undefined) {
      // Events too, so a restarted process continues a run's ids and a client's Last-Event-ID still resumes.
      const { SqliteEventLog } = await import("../server/sqlite-event-log.js");
      eventLog = new SqliteEventLog(join(dataDir, "events.db"), eventBounds);
    }
  }
  eventLog ??= new MemoryEventLog(eventBounds);
  if (queue === undefined && (options.apiOnly || options.workerOnly) && (options.postgres !== undefined || options.memory)) {
    throw new WeftError("INVALID_OPTIONS", "--api-only and --worker-only share runs through a queue: pass --redis (with --postgres), or use the embedded SQLite default on one machine.");
  }
  const handler = createHandler({
    graphs,
    eventLog,
    store,
    queue,
    role: options.apiOnly ? "api" : options.workerOnly ? "worker" : "all",
    leaseMs: options.leaseMs,
    maxAttempts: options.maxAttempts,
    retention: { finishedRunsMs: options.runRetentionMs, threadsMs: options.threadRetentionMs },
    checkpointer,
    apiKey: options.apiKey,
    maxBodyBytes: options.maxBodyBytes,
    cors: options.corsOrigin === undefined ? undefined : { origins: options.corsOrigin.includes("*") ? "*" : options.corsOrigin },
    pages: await pagesFor(graphs, modulePath === undefined),
  });
  const server = await serve(handler, { port: options.port ?? 2024, host: options.host ?? "127.0.0.1", reclaimIdleMemory: options.reclaimIdleMemory === false ? false : undefined });
  return {
    ...server,
    async close(closeOptions = {}) {
      await server.close(closeOptions);
      await eventLog?.close();
      await store.close();
      await checkpointer?.close?.();
    },
  };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError("a port is a whole number from 0 to 65535.");
  return port;
}

function parseNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError("expected a number >= 0.");
  return number;
}

function parseWhole(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("expected a whole number >= 1.");
  return number;
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError("a seed is a whole number >= 0.");
  return seed;
}

/** Add `weft serve` to the program. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Serve graphs over HTTP/SSE (LangGraph server API) with a browser demo at /")
    .argument("[module]", "a module whose exported compiled graphs become assistants (default: the joke/poem demo)")
    .option("-p, --port <port>", "port to listen on", parsePort, 2024)
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--api-key <key>", "require this key (X-Api-Key) on API requests; or set WEFT_API_KEY")
    .option("--redis <url>", "share runs' events through Redis Streams, e.g. redis://127.0.0.1:6379")
    .option("--redis-prefix <prefix>", "key prefix in Redis", "weft:")
    .option("--postgres <url>", "save threads in PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test")
    .option("--postgres-schema <schema>", "schema of the checkpoint tables", "public")
    .option("--cors-origin <origin...>", "origins allowed to call the API from a browser (* for any)")
    .option("--pace <tokens-per-second>", "speed of the demo's tiny model; 0 = as fast as possible", parseNumber, 25)
    .option("--seed <integer>", "sampling seed of the demo's tiny model (same seed and topic, same text)", parseSeed)
    .option("--data-dir <dir>", "folder of the embedded SQLite records, checkpoints and events (without --postgres)", ".weft")
    .option("--memory", "keep records, checkpoints and events in memory only")
    .option("--api-only", "answer the API only; worker processes execute the runs")
    .option("--worker-only", "execute runs only; no HTTP API (health at GET /ok)")
    .option("--lease-ms <ms>", "lease of a run's worker: a dead worker's run moves on after it", parseNumber)
    .option("--max-attempts <n>", "attempts a run gets when its workers die or stop", parseNumber)
    .option("--drain-ms <ms>", "on SIGTERM, how long runs may finish before they go back to the queue", parseNumber, 30_000)
    .option("--run-retention-ms <ms>", "how long finished runs are kept (default 7 days)", parseNumber)
    .option("--thread-retention-ms <ms>", "how long idle threads are kept (default forever)", parseNumber)
    .option("--event-bytes-per-run <bytes>", "event JSON kept per run; a client that falls further behind gets EVENTS_LOST (default 8 MiB)", parseWhole)
    .option("--event-ttl-ms <ms>", "how long a finished run's events are kept for clients to resume (default 10 minutes)", parseWhole)
    .option("--no-reclaim-idle-memory", "keep the memory V8 grew during a burst of runs when the server goes idle")
    .action(async (modulePath: string | undefined, flags: ServeCommandOptions) => {
      const server = await startServe(modulePath, { ...flags, apiKey: flags.apiKey ?? process.env.WEFT_API_KEY });
      console.log(`Weft server listening on ${server.url} (chat page: ${server.url}/${modulePath === undefined ? `, joke and poem: ${server.url}/joke-poem` : ""})`);
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        // Stop accepting, let runs finish for --drain-ms, hand the rest back to the queue.
        await server.close({ drainMs: flags.drainMs });
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
