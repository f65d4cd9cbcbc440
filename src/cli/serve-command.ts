// `weft serve [module]`: serve the compiled graphs a module exports (the seed's joke/poem demo by
// default) over the LangGraph-compatible HTTP/SSE API, with the browser demo page at GET /.
import { basename, extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Command, InvalidArgumentError } from "commander";
import { createJokePoemGraph } from "../demo/joke-poem-graph.js";
import { WeftError, describeError } from "../errors.js";
import { CompiledGraph } from "../graph/compiled-graph.js";
import { createHandler } from "../server/handler.js";
import { demoPage } from "../server/demo-page.js";
import type { EventLog } from "../server/event-log.js";
import { type RunningServer, serve } from "../server/node-adapter.js";
import { createRedisEventLog } from "../server/redis-event-log.js";
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
}

/** The demo assistant: the seed's graph on the built-in tiny model (offline), tagged "joke" and "poem", paced so the page fills visibly. */
export function demoGraphs(options: { tokensPerSecond?: number; seed?: number } = {}): Record<string, AnyGraph> {
  const settings = { tokensPerSecond: options.tokensPerSecond ?? 25, seed: options.seed };
  const jokeModel = new TinyChatModel({ ...settings, tags: ["joke"] });
  const poemModel = new TinyChatModel({ ...settings, tags: ["poem"] });
  return { "joke-poem": createJokePoemGraph({ jokeModel, poemModel, name: "joke-poem" }) };
}

/** The compiled graphs a module exports, by export name (`default` takes the file's name). */
export async function loadGraphs(modulePath: string): Promise<Record<string, AnyGraph>> {
  const absolute = resolve(modulePath);
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

/** Start the server as `weft serve` does; resolves once it listens. */
export async function startServe(modulePath: string | undefined, options: ServeCommandOptions = {}): Promise<RunningServer> {
  const graphs = modulePath === undefined ? demoGraphs({ tokensPerSecond: options.pace, seed: options.seed }) : await loadGraphs(modulePath);
  let eventLog: EventLog | undefined;
  let checkpointer: (Checkpointer & { close?: () => Promise<void> }) | undefined;
  if (options.redis !== undefined) eventLog = await createRedisEventLog({ url: options.redis, keyPrefix: options.redisPrefix });
  if (options.postgres !== undefined) {
    const { PostgresSaver } = await import("../checkpoint/postgres/index.js");
    const saver = new PostgresSaver(options.postgres, { schema: options.postgresSchema });
    await saver.setup();
    checkpointer = saver;
  }
  const handler = createHandler({
    graphs,
    eventLog,
    checkpointer,
    apiKey: options.apiKey,
    maxBodyBytes: options.maxBodyBytes,
    cors: options.corsOrigin === undefined ? undefined : { origins: options.corsOrigin.includes("*") ? "*" : options.corsOrigin },
    page: demoPage(Object.keys(graphs)[0]!),
  });
  const server = await serve(handler, { port: options.port ?? 2024, host: options.host ?? "127.0.0.1" });
  return {
    ...server,
    async close() {
      await server.close();
      await eventLog?.close();
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
    .action(async (modulePath: string | undefined, flags: ServeCommandOptions) => {
      const server = await startServe(modulePath, { ...flags, apiKey: flags.apiKey ?? process.env.WEFT_API_KEY });
      console.log(`Weft server listening on ${server.url} (demo page: ${server.url}/)`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}
