// Checking the body of POST /threads/{id}/runs/stream and POST /runs/stream (the LangGraph
// server's RunCreate) into what a run needs; each mistake answers 422 naming its field.
import { describeValue } from "../errors.js";
import type { StreamMode } from "../stream/run-stream.js";
import { httpError } from "./http-error.js";
import { stateFromWire } from "./wire-format.js";
import type { MultitaskStrategy } from "./record-store.js";

/** The stream modes the server speaks; `messages-tuple` is the graph's `messages` mode over the wire. */
export const SERVER_STREAM_MODES = ["values", "updates", "messages-tuple", "custom", "debug", "tools"] as const;
export type ServerStreamMode = (typeof SERVER_STREAM_MODES)[number];

export interface RunRequest {
  assistantId: string;
  input: Record<string, unknown> | null;
  command: { resume?: unknown; update?: Record<string, unknown>; goto?: unknown } | undefined;
  streamModes: ServerStreamMode[];
  subgraphs: boolean;
  resumable: boolean;
  onDisconnect: "cancel" | "continue";
  routeMessagesByTag: boolean;
  configurable: Record<string, unknown>;
  tags: string[];
  recursionLimit: number | undefined;
  metadata: Record<string, unknown>;
  /** Breakpoints of this run: stop before / after these nodes ("*" for all). Needs a checkpointer. */
  interruptBefore: string[] | "*" | undefined;
  interruptAfter: string[] | "*" | undefined;
  /** What a run does when its thread is busy (LangGraph's meanings; see docs/server.md). */
  multitaskStrategy: MultitaskStrategy;
  /** A stateless run's thread: deleted when the run ends (default) or kept. */
  onCompletion: "delete" | "keep";
  /** A run on a thread that does not exist: 404 ("reject", default) or create it ("create"). */
  ifNotExists: "reject" | "create";
  /** Accepted for compatibility: Weft writes every checkpoint before the next step starts ("sync"). */
  durability: "sync" | "async" | "exit" | undefined;
  /** Start from this checkpoint of the thread (`checkpoint` or `checkpoint_id`): the run forks from it (also in `configurable.checkpoint_id`). */
  checkpointId?: string;
  /** Refuse a `command.resume` that answers no waiting interrupt (409) instead of ignoring it. */
  strictResume?: boolean;
  /** The served graph, when `assistantId` names an assistant record over it (set by the run manager). */
  graphId?: string;
  /** "ui-message": the run logs the AI SDK's UI message chunks (useChat's routes, ai-sdk-chat-routes.ts) instead of LangGraph's events. */
  format?: "langgraph" | "ui-message";
}

export const MULTITASK_STRATEGIES: readonly MultitaskStrategy[] = ["reject", "interrupt", "rollback", "enqueue"];

// Accepted by the LangGraph server but not by this one: sending them with a value is an error,
// not something to ignore silently.
const UNSUPPORTED_FIELDS = ["webhook", "after_seconds", "feedback_keys"];

const KNOWN_FIELDS = new Set([
  "assistant_id",
  "input",
  "command",
  "config",
  "context",
  "metadata",
  "stream_mode",
  "stream_subgraphs",
  "stream_resumable",
  "on_disconnect",
  "on_completion",
  "multitask_strategy",
  "if_not_exists",
  "checkpoint_during",
  "durability",
  "route_messages_by",
  "interrupt_before",
  "interrupt_after",
  "checkpoint",
  "checkpoint_id",
  "strict_resume",
  ...UNSUPPORTED_FIELDS,
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function invalid(field: string, message: string) {
  return httpError(422, message, field);
}

/** The graph's stream modes for the server's modes. */
export function graphModesOf(modes: readonly ServerStreamMode[]): StreamMode[] {
  return [...new Set(modes.map((mode) => (mode === "messages-tuple" ? "messages" : mode)))] as StreamMode[];
}

export function parseRunRequest(body: unknown): RunRequest {
  if (!isObject(body)) throw httpError(422, `The request body must be a JSON object, not ${describeValue(body)}.`, "body");
  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) throw invalid(key, `Unknown field "${key}" in the run request; remove it.`);
  }
  for (const key of UNSUPPORTED_FIELDS) {
    if (body[key] !== undefined && body[key] !== null) throw invalid(key, `"${key}" is not supported by the Weft server; remove it.`);
  }
  const assistantId = body.assistant_id;
  if (typeof assistantId !== "string" || assistantId === "") {
    throw invalid("assistant_id", "`assistant_id` is required: the id of an assistant (a graph's name, see POST /assistants/search).");
  }
  const input = body.input ?? null;
  if (input !== null && !isObject(input)) throw invalid("input", `\`input\` must be an object of state values or null, not ${describeValue(input)}.`);
  const command = body.command ?? undefined;
  if (command !== undefined && (!isObject(command) || Object.keys(command).some((key) => !["resume", "update", "goto"].includes(key)))) {
    throw invalid("command", "`command` must be an object with `resume`, `update` and/or `goto`.");
  }
  if (command !== undefined && command.update !== undefined && command.update !== null && !isObject(command.update)) {
    throw invalid("command", "`command.update` must be an object of state values.");
  }
  if (command !== undefined && input !== null) throw invalid("command", "Send either `input` or `command`, not both.");

  const rawModes = body.stream_mode ?? "values";
  const modeList = Array.isArray(rawModes) ? rawModes : [rawModes];
  if (modeList.length === 0) throw invalid("stream_mode", "`stream_mode` is an empty array; name at least one mode.");
  for (const mode of modeList) {
    if (!(SERVER_STREAM_MODES as readonly unknown[]).includes(mode)) {
      throw invalid("stream_mode", `Unknown stream_mode ${describeValue(mode)}; use ${SERVER_STREAM_MODES.map((name) => `"${name}"`).join(", ")}, or an array of them.`);
    }
  }

  const subgraphs = optionalBoolean(body, "stream_subgraphs");
  const resumable = optionalBoolean(body, "stream_resumable");
  const onDisconnect = body.on_disconnect ?? "continue";
  if (onDisconnect !== "cancel" && onDisconnect !== "continue") {
    throw invalid("on_disconnect", `\`on_disconnect\` must be "cancel" or "continue", not ${describeValue(onDisconnect)}.`);
  }
  const routeBy = body.route_messages_by ?? undefined;
  if (routeBy !== undefined && routeBy !== "tag") throw invalid("route_messages_by", `\`route_messages_by\` can only be "tag", not ${describeValue(routeBy)}.`);
  const strategy = oneOf(body, "multitask_strategy", MULTITASK_STRATEGIES, "reject");
  const onCompletion = oneOf(body, "on_completion", ["delete", "keep"] as const, "delete");
  const ifNotExists = oneOf(body, "if_not_exists", ["reject", "create"] as const, "reject");
  const durability = oneOf(body, "durability", ["sync", "async", "exit"] as const, undefined);
  const checkpointDuring = body.checkpoint_during ?? undefined;
  if (checkpointDuring !== undefined && typeof checkpointDuring !== "boolean") {
    throw invalid("checkpoint_during", `\`checkpoint_during\` must be true or false, not ${describeValue(checkpointDuring)}.`);
  }

  const config = body.config ?? {};
  if (!isObject(config)) throw invalid("config", "`config` must be an object.");
  const configurable = config.configurable ?? {};
  if (!isObject(configurable)) throw invalid("config.configurable", "`config.configurable` must be an object.");
  const context = body.context ?? {};
  if (!isObject(context)) throw invalid("context", "`context` must be an object.");
  const tags = config.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string")) throw invalid("config.tags", "`config.tags` must be an array of strings.");
  const recursionLimit = config.recursion_limit ?? undefined;
  if (recursionLimit !== undefined && (!Number.isInteger(recursionLimit) || (recursionLimit as number) < 1)) {
    throw invalid("config.recursion_limit", "`config.recursion_limit` must be a whole number >= 1.");
  }
  const metadata = body.metadata ?? {};
  if (!isObject(metadata)) throw invalid("metadata", "`metadata` must be an object.");

  const checkpointId = checkpointIdOf(body);
  const strictResume = optionalBoolean(body, "strict_resume");
  const interruptBefore = breakpointsOf(body, "interrupt_before");
  const interruptAfter = breakpointsOf(body, "interrupt_after");

  let wireInput = input as Record<string, unknown> | null;
  let wireCommand = command as RunRequest["command"];
  try {
    if (wireInput !== null) wireInput = stateFromWire(wireInput);
    if (wireCommand?.update !== undefined && wireCommand.update !== null) wireCommand = { ...wireCommand, update: stateFromWire(wireCommand.update) };
  } catch (error) {
    throw invalid(wireInput !== null ? "input.messages" : "command.update.messages", (error as Error).message);
  }

  return {
    assistantId,
    input: wireInput,
    command: wireCommand,
    streamModes: [...new Set(modeList as ServerStreamMode[])],
    subgraphs,
    resumable,
    onDisconnect,
    routeMessagesByTag: routeBy === "tag",
    configurable: { ...context, ...configurable, ...(checkpointId === undefined ? {} : { checkpoint_id: checkpointId }) },
    tags: tags as string[],
    recursionLimit: recursionLimit as number | undefined,
    metadata,
    interruptBefore,
    interruptAfter,
    multitaskStrategy: strategy,
    onCompletion,
    ifNotExists,
    durability,
    checkpointId,
    strictResume,
  };
}

/** The checkpoint a run starts from: `checkpoint: { checkpoint_id }` (as useStream sends it) or `checkpoint_id`. */
function checkpointIdOf(body: Record<string, unknown>): string | undefined {
  const checkpoint = body.checkpoint ?? undefined;
  const checkpointId = body.checkpoint_id ?? undefined;
  if (checkpoint !== undefined && checkpointId !== undefined) throw invalid("checkpoint_id", "Send `checkpoint` or `checkpoint_id`, not both.");
  if (checkpointId !== undefined) {
    if (typeof checkpointId !== "string" || checkpointId === "") throw invalid("checkpoint_id", `\`checkpoint_id\` must be a checkpoint id string, not ${describeValue(checkpointId)}.`);
    return checkpointId;
  }
  if (checkpoint === undefined) return undefined;
  if (!isObject(checkpoint) || typeof checkpoint.checkpoint_id !== "string" || checkpoint.checkpoint_id === "") {
    throw invalid("checkpoint", "`checkpoint` must be an object with a `checkpoint_id` string (from GET /threads/{id}/history).");
  }
  const namespace = checkpoint.checkpoint_ns ?? "";
  if (namespace !== "") throw invalid("checkpoint.checkpoint_ns", "A run starts from a checkpoint of the thread itself; `checkpoint.checkpoint_ns` must be \"\" (subgraph checkpoints cannot be forked).");
  return checkpoint.checkpoint_id;
}

function oneOf<const Value extends string, Fallback extends Value | undefined>(
  body: Record<string, unknown>,
  field: string,
  allowed: readonly Value[],
  fallback: Fallback,
): Value | Fallback {
  const value = body[field] ?? undefined;
  if (value === undefined) return fallback;
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw invalid(field, `\`${field}\` must be ${allowed.map((each) => `"${each}"`).join(", ")}, not ${describeValue(value)}.`);
  }
  return value as Value;
}

function breakpointsOf(body: Record<string, unknown>, field: string): string[] | "*" | undefined {
  const value = body[field] ?? undefined;
  if (value === undefined || value === "*") return value;
  if (!Array.isArray(value) || value.some((node) => typeof node !== "string")) {
    throw invalid(field, `\`${field}\` must be "*" or an array of node names, not ${describeValue(value)}.`);
  }
  return value as string[];
}

function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const value = body[field] ?? false;
  if (typeof value !== "boolean") throw invalid(field, `\`${field}\` must be true or false, not ${describeValue(value)}.`);
  return value;
}
