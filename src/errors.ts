// The one error base of Weft. Every failure a user can meet is a WeftError with a code from this list.

const MARKER = Symbol.for("weft.error");

/** What went wrong, as a stable string a program can switch on. */
export type WeftErrorCode =
  | "INVALID_GRAPH" // the graph definition cannot be compiled
  | "INVALID_INPUT" // the input of a run is not a state object (or Command)
  | "INVALID_UPDATE" // a node or input wrote something the state cannot take
  | "INVALID_NODE_RETURN" // a node returned something that is not an update
  | "INVALID_OPTIONS" // run options, model options or CLI flags are wrong
  | "INVALID_MESSAGES" // chat-model input cannot be read as messages
  | "INVALID_TOOL_INPUT" // a tool was called with input its schema refuses
  | "TOOL_NOT_FOUND" // a model called a tool the ToolNode does not have
  | "RECURSION_LIMIT" // the run needed more steps than recursionLimit allows
  | "NODE_FAILED" // a node threw an error that was not a WeftError
  | "ABORTED" // the run or model call was aborted
  | "MODEL_CALL" // a model provider failed
  | "MODEL_NOT_FOUND" // a model file or name could not be resolved
  | "MISSING_DEPENDENCY" // an optional package is not installed
  | "NO_CONTEXT" // getConfig()/getWriter() called outside a running node
  | "CHECKPOINT" // a checkpointer failed or was misused
  | "SERIALIZATION" // state cannot be serialized
  | "THREAD_BUSY" // another run is active on the same thread
  | "INTERRUPTED" // internal: a node called interrupt()
  | "PARENT_COMMAND" // internal: a subgraph node returned Command.PARENT
  | "SERVER"; // the HTTP server was misused

export interface WeftErrorOptions {
  cause?: unknown;
  /** Extra facts that help a program react (node name, status code, partial text, ...). */
  details?: Record<string, unknown>;
}

/**
 * The base error of Weft: a `code` to switch on and a message that says what to do.
 *
 * @example
 * try { await graph.invoke(input) } catch (error) {
 *   if (WeftError.isInstance(error) && error.code === "RECURSION_LIMIT") { ... }
 * }
 */
export class WeftError extends Error {
  readonly code: WeftErrorCode;
  /** The node in which the error happened, when it happened in a node. */
  node?: string;
  readonly details: Record<string, unknown>;
  private readonly [MARKER] = true;

  constructor(code: WeftErrorCode, message: string, options: WeftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WeftError";
    this.code = code;
    this.details = options.details ?? {};
  }

  /** True for any WeftError, also one created by another copy of the package. */
  static isInstance(value: unknown): value is WeftError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** The message of anything thrown, for use inside other messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "unknown error";
  }
}

/** A short, safe rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return `an object of class ${value.constructor?.name ?? "null-prototype"}`;
  return String(value);
}
