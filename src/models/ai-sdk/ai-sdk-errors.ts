// What went wrong in an AI SDK provider, as a WeftError MODEL_CALL that keeps the HTTP status
// (APICallError.statusCode), whether a retry could help (isRetryable) and what to do about it.
// Errors are read by duck typing and by the AI SDK's own markers, so no AI SDK package is imported.
import { WeftError, describeError } from "../../errors.js";

export interface CallFacts {
  provider: string;
  model: string;
  /** Characters of text already streamed by this call. */
  streamedCharacters: number;
}

interface APICallErrorLike {
  message: string;
  url?: string;
  statusCode?: number;
  isRetryable: boolean;
  responseHeaders?: Record<string, string>;
}

/** An AI SDK APICallError (any copy of @ai-sdk/provider): marked with a global symbol, as AISDKError is. */
export function isAPICallError(error: unknown): error is APICallErrorLike {
  if (typeof error !== "object" || error === null) return false;
  const marked = (error as Record<symbol, unknown>)[Symbol.for("vercel.ai.error.AI_APICallError")] === true;
  return marked || ((error as { name?: unknown }).name === "AI_APICallError" && typeof (error as { isRetryable?: unknown }).isRetryable === "boolean");
}

/** Turn an error from an AI SDK provider (or the connection under it) into a WeftError MODEL_CALL. */
export function toModelCallError(error: unknown, facts: CallFacts): WeftError {
  const where = `${facts.provider} model "${facts.model}"`;
  const progress = facts.streamedCharacters > 0 ? ` after ${facts.streamedCharacters} characters of the answer` : "";
  if (isAPICallError(error)) {
    const status = error.statusCode;
    // The answer had started (HTTP 2xx) and then failed: what failed is the stream under it.
    if (status !== undefined && status < 300 && (error as { cause?: unknown }).cause !== undefined) return toModelCallError((error as { cause?: unknown }).cause, facts);
    const details: Record<string, unknown> = { isRetryable: error.isRetryable };
    if (status !== undefined) details.status = status;
    if (error.url !== undefined) details.url = error.url;
    const message =
      status === undefined
        ? `No answer from ${where}: ${describeError(rootCause(error))}. Check that the server runs and the provider's \`baseURL\`.`
        : `${where} answered HTTP ${status}${progress}: ${error.message.replace(/\.+$/, "")}. ${adviceForStatus(status)}`;
    return new WeftError("MODEL_CALL", message, { cause: error, details });
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "AI_JSONParseError" || name === "AI_TypeValidationError") {
    return new WeftError(
      "MODEL_CALL",
      `${where} sent a stream event that could not be read${progress} (${describeError(error)}); the server does not speak the provider's streaming format correctly.`,
      { cause: error, details: { isRetryable: false } },
    );
  }
  if (error instanceof TypeError && /terminated|socket|closed|ECONNRESET/i.test(`${error.message} ${describeError(error.cause)}`)) {
    return new WeftError(
      "MODEL_CALL",
      `The connection to ${where} closed before the answer was complete${progress} (${describeError(rootCause(error))}); the text received so far is in error.details.partialText.`,
      { cause: error, details: { isRetryable: true } },
    );
  }
  if (typeof error === "object" && error !== null && !(error instanceof Error)) {
    // An error event inside the stream, as the provider sent it: Anthropic's `{ type, message }`, ...
    const body = error as { type?: unknown; message?: unknown; error?: { type?: unknown; message?: unknown } };
    const inner = body.error ?? body;
    const type = typeof inner.type === "string" ? inner.type : "error";
    const text = typeof inner.message === "string" ? inner.message : JSON.stringify(error);
    return new WeftError("MODEL_CALL", `${where} sent an error in the middle of the answer${progress}: ${type}: ${text}`, {
      cause: error,
      details: { isRetryable: /overloaded|rate_limit|api_error|server|unavailable/i.test(type), errorType: type },
    });
  }
  return new WeftError("MODEL_CALL", `The call to ${where} failed${progress}: ${describeError(error)}`, {
    cause: error,
    details: { isRetryable: false },
  });
}

/** Milliseconds the server asked to wait before a retry (retry-after-ms, then retry-after), if any. */
export function retryAfterMs(error: APICallErrorLike): number | undefined {
  const headers = error.responseHeaders ?? {};
  const milliseconds = Number.parseFloat(headers["retry-after-ms"] ?? "");
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const seconds = Number.parseFloat(headers["retry-after"] ?? "");
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) current = current.cause;
  return current;
}

function adviceForStatus(status: number): string {
  if (status === 401) return "Check the API key (e.g. ANTHROPIC_API_KEY, or the provider's `apiKey`).";
  if (status === 403) return "The API key is not allowed to use this model or endpoint.";
  if (status === 404) return "Check the model name and the provider's `baseURL`.";
  if (status === 429) return "The provider is rate-limiting; retries were used up (raise `maxRetries` or slow down).";
  if (status >= 500) return "The provider failed or is overloaded; retries were used up (raise `maxRetries` or try again later).";
  return "The request was rejected; check the model options and messages.";
}
