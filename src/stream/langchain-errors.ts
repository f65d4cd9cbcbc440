// What went wrong in a LangChain.js chat-model call, as a WeftError MODEL_CALL keeping the HTTP status,
// whether a retry could help and the text streamed so far; the provider SDK's error stays the `cause`.
// Shared by `fromLangChain` and the callback handler that streams LangChain models without a wrapper.
// Errors are read by duck typing (Anthropic's and OpenAI's SDKs: `status`; others: `statusCode`, `response.status`).
import { WeftError, describeError } from "../errors.js";

export interface LangChainCallFacts {
  /** `ls_provider` of the model, e.g. "anthropic". */
  provider: string;
  /** `ls_model_name` of the model. */
  model: string;
  /** Characters of text the call streamed before it failed. */
  streamedCharacters: number;
  /** That text, when known here (a Weft model's call adds it to `details` itself). */
  partialText?: string;
}

/** A LangChain model's failure as MODEL_CALL, with `details` { status?, isRetryable, errorType?, provider, model, partialText? }. */
export function langChainCallError(error: unknown, facts: LangChainCallFacts): WeftError {
  const where = `LangChain model ${facts.provider}:${facts.model}`;
  const details: Record<string, unknown> = { isRetryable: false, provider: facts.provider, model: facts.model };
  if (facts.partialText !== undefined) details.partialText = facts.partialText;
  const status = statusOf(error);
  let what: string;
  let advice = "";
  if (status !== undefined) {
    details.status = status;
    details.isRetryable = status === 408 || status === 409 || status === 429 || status >= 500;
    what = `answered HTTP ${status}`;
  } else if (/terminated|socket|closed|ECONNRESET|ECONNREFUSED|fetch failed|Connection error/i.test(describeChain(error))) {
    details.isRetryable = true;
    what = "lost the connection";
  } else if (error instanceof SyntaxError) {
    what = "sent a stream event that could not be read";
    advice = " (the server does not speak the provider's streaming format correctly)";
  } else {
    const type = errorTypeOf(error);
    if (type !== undefined) {
      // An error event inside the stream, e.g. Anthropic's `{ type: "error", error: { type: "overloaded_error" } }`.
      details.errorType = type;
      details.isRetryable = /overloaded|rate_limit|api_error|server|unavailable/i.test(type);
      what = `sent an error (${type}) in the middle of the answer`;
    } else what = "failed";
  }
  return new WeftError("MODEL_CALL", `${where} ${what}${progressOf(facts)}: ${describeError(error)}${advice}`, { cause: error, details });
}

/** A LangChain call its own `timeout` (LangChain's call option) stopped: MODEL_CALL, retryable, LangChain's abort error as `cause`. */
export function langChainTimeoutError(error: unknown, facts: LangChainCallFacts, timeoutMs: number): WeftError {
  const details: Record<string, unknown> = { isRetryable: true, provider: facts.provider, model: facts.model, timeoutMs };
  if (facts.partialText !== undefined) details.partialText = facts.partialText;
  return new WeftError(
    "MODEL_CALL",
    `LangChain model ${facts.provider}:${facts.model} did not finish within its \`timeout\` of ${timeoutMs} ms${progressOf(facts)}; the call was aborted. Raise \`timeout\` if the model is just slow.`,
    { cause: error, details },
  );
}

function progressOf(facts: LangChainCallFacts): string {
  return facts.streamedCharacters > 0 ? ` after ${facts.streamedCharacters} characters of the answer` : "";
}

/** True for the errors a LangChain call ends with when its signal aborts it (those stay the caller's abort). */
export function isAbortError(error: unknown): boolean {
  const candidate = error as { name?: unknown; message?: unknown } | null;
  return candidate?.name === "AbortError" || (typeof candidate?.message === "string" && /\babort/i.test(candidate.message));
}

function statusOf(error: unknown): number | undefined {
  const candidate = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } } | null;
  for (const value of [candidate?.status, candidate?.statusCode, candidate?.response?.status]) if (typeof value === "number") return value;
  return undefined;
}

/** The provider's error type of an error event (`error.error.error.type` for Anthropic's SDK, `error.error.type` for OpenAI's). */
function errorTypeOf(error: unknown): string | undefined {
  const body = (error as { error?: { type?: unknown; error?: { type?: unknown } } } | null)?.error;
  const type = body?.error?.type ?? body?.type;
  return typeof type === "string" && type !== "error" ? type : undefined;
}

function describeChain(error: unknown): string {
  const parts: string[] = [];
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined; depth++) {
    parts.push(describeError(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(" ");
}
