// What went wrong talking to an OpenAI-compatible server, as a WeftError MODEL_CALL that keeps the
// HTTP status, whether a retry could help, and what to do about it.
import { APIConnectionError, APIConnectionTimeoutError } from "openai";
import { WeftError, describeError } from "../../errors.js";

export interface CallFacts {
  model: string;
  baseURL: string;
  /** Characters of text already streamed by this call. */
  streamedCharacters: number;
}

/** Statuses the openai SDK itself retries (and so are worth retrying later). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Turn an error from the openai SDK (or the connection under it) into a WeftError MODEL_CALL. */
export function toModelCallError(error: unknown, facts: CallFacts): WeftError {
  const where = `OpenAI-compatible server ${facts.baseURL} (model "${facts.model}")`;
  const progress = facts.streamedCharacters > 0 ? ` after ${facts.streamedCharacters} characters of the answer` : "";
  const status = statusOf(error);
  if (status !== undefined) {
    const retryable = isRetryableStatus(status);
    return new WeftError(
      "MODEL_CALL",
      `${where} answered HTTP ${status}${progress}: ${serverMessage(error)}. ${adviceForStatus(status)}`,
      { cause: error, details: { status, isRetryable: retryable, baseURL: facts.baseURL } },
    );
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new WeftError("MODEL_CALL", `${where} did not answer in time; raise the \`timeout\` option or check the server.`, {
      cause: error,
      details: { isRetryable: true, baseURL: facts.baseURL },
    });
  }
  if (error instanceof APIConnectionError) {
    return new WeftError(
      "MODEL_CALL",
      `No answer from ${where}: ${describeError(rootCause(error))}. Check that the server runs and that \`baseURL\` (or OPENAI_BASE_URL) ends in /v1.`,
      { cause: error, details: { isRetryable: true, baseURL: facts.baseURL } },
    );
  }
  if (error instanceof SyntaxError) {
    return new WeftError(
      "MODEL_CALL",
      `${where} sent a stream line that is not valid JSON${progress} (${error.message}); the server does not speak the chat-completions SSE format correctly.`,
      { cause: error, details: { isRetryable: false, baseURL: facts.baseURL } },
    );
  }
  if (error instanceof TypeError && /terminated|socket|closed|ECONNRESET/i.test(`${error.message} ${describeError(error.cause)}`)) {
    return new WeftError(
      "MODEL_CALL",
      `The connection to ${where} closed before the answer was complete${progress} (${describeError(rootCause(error))}); the text received so far is in error.details.partialText.`,
      { cause: error, details: { isRetryable: true, baseURL: facts.baseURL } },
    );
  }
  return new WeftError("MODEL_CALL", `The call to ${where} failed${progress}: ${describeError(error)}`, {
    cause: error,
    details: { isRetryable: false, baseURL: facts.baseURL },
  });
}

/** The innermost cause: fetch wraps socket errors ("fetch failed" around "other side closed"). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) current = current.cause;
  return current;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** The server's own message, without the SDK's "429 " prefix. */
function serverMessage(error: unknown): string {
  const body = (error as { error?: { message?: unknown } } | null)?.error;
  const message = typeof body?.message === "string" ? body.message : describeError(error).replace(/^\d{3}\s+/, "");
  return message.replace(/\.+$/, "");
}

function adviceForStatus(status: number): string {
  if (status === 401) return "Check the API key (OPENAI_API_KEY or the `apiKey` option).";
  if (status === 403) return "The API key is not allowed to use this model or endpoint.";
  if (status === 404) return "Check the model name and that `baseURL` ends in /v1.";
  if (status === 429) return "The server is rate-limiting; retries were used up (raise `maxRetries` or slow down).";
  if (status >= 500) return "The server failed; retries were used up (raise `maxRetries` or try again later).";
  return "The request was rejected; check the model options and messages.";
}
