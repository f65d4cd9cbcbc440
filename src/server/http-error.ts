// HTTP errors are WeftErrors with code SERVER and details { status, field }; this turns any
// thrown value into the JSON error body every route answers with.
import { WeftError, describeError } from "../errors.js";

/** A WeftError that answers with `status`; `field` names the request part that was wrong. */
export function httpError(status: number, message: string, field?: string): WeftError {
  return new WeftError("SERVER", message, { details: field === undefined ? { status } : { status, field } });
}

const STATUS_NAMES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  410: "gone",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable_entity",
  500: "internal_error",
};

/** The status of a thrown value: its details.status, 422 for bad options/input, else 500. */
export function statusOf(error: unknown): number {
  if (!WeftError.isInstance(error)) return 500;
  const status = error.details.status;
  if (typeof status === "number" && status >= 400 && status < 600) return status;
  if (error.code === "THREAD_BUSY") return 409;
  if (error.code.startsWith("INVALID_")) return 422;
  if (error.code === "CHECKPOINT") return 422;
  return 500;
}

/** `{ error, message, field? }` with the error's status. Unexpected errors do not leak their message. */
export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const status = statusOf(error);
  const body: Record<string, unknown> = {
    error: STATUS_NAMES[status] ?? "error",
    message: status === 500 && !WeftError.isInstance(error) ? "The server failed while handling the request." : describeError(error),
  };
  if (WeftError.isInstance(error) && typeof error.details.field === "string") body.field = error.details.field;
  return jsonResponse(body, status, headers);
}

export function jsonResponse(body: unknown, status = 200, headers?: HeadersInit): Response {
  const merged = new Headers(headers);
  merged.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { status, headers: merged });
}
