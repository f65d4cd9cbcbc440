// What every request passes before a route sees it: CORS, the API key, and a size-limited JSON body.
import { timingSafeEqual } from "node:crypto";
import { describeError } from "../errors.js";
import { httpError } from "./http-error.js";

export interface CorsOptions {
  /** Origins allowed to call the API from a browser: a list, or "*" for any. */
  origins: readonly string[] | "*";
  /** Send `Access-Control-Allow-Credentials: true` (not with "*"). */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight answer. Default 600. */
  maxAgeSeconds?: number;
}

const ALLOWED_HEADERS = "Content-Type, X-Api-Key, Authorization, Last-Event-ID";
const EXPOSED_HEADERS = "Content-Location, Location";

/** CORS headers for a request from `origin`, or none when CORS is off or the origin is not allowed. */
export function corsHeaders(cors: CorsOptions | undefined, origin: string | null): Record<string, string> {
  if (cors === undefined || origin === null) return {};
  const any = cors.origins === "*";
  if (!any && !cors.origins.includes(origin)) return {};
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": any && !cors.credentials ? "*" : origin,
    "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    Vary: "Origin",
  };
  if (cors.credentials) headers["Access-Control-Allow-Credentials"] = "true";
  return headers;
}

/** The answer to a CORS preflight (OPTIONS). */
export function preflightResponse(cors: CorsOptions | undefined, request: Request): Response {
  const headers = corsHeaders(cors, request.headers.get("Origin"));
  if (headers["Access-Control-Allow-Origin"] !== undefined) {
    headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS";
    headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS;
    headers["Access-Control-Max-Age"] = String(cors?.maxAgeSeconds ?? 600);
  }
  return new Response(null, { status: 204, headers });
}

/** Throws 401 unless the request carries `apiKey` as `X-Api-Key` or `Authorization: Bearer`. */
export function checkApiKey(apiKey: string | undefined, request: Request): void {
  if (apiKey === undefined) return;
  const bearer = request.headers.get("Authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
  const given = request.headers.get("X-Api-Key") ?? bearer;
  if (given === undefined || given === null || !sameSecret(given, apiKey)) {
    throw httpError(401, "Missing or wrong API key; send it in the X-Api-Key header (or Authorization: Bearer <key>).", "X-Api-Key");
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The request's JSON body (undefined when empty), read with a byte limit: a declared
 * Content-Length over it is refused before reading, and a body that grows past it is cut off.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const type = request.headers.get("Content-Type");
  if (request.body === null) return undefined;
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    parts.push(value);
  }
  if (size === 0) return undefined;
  if (type !== null && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw httpError(415, `Send the body as JSON (Content-Type: application/json), not ${type.slice(0, 60)}.`, "Content-Type");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(parts));
  } catch {
    throw httpError(400, "The request body is not valid UTF-8.", "body");
  }
  const depth = nestingDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw httpError(422, `The request body nests ${depth > 10_000 ? "more than 10000" : depth} levels deep; the server accepts at most ${MAX_JSON_DEPTH}.`, "body");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw httpError(400, `The request body is not valid JSON: ${describeError(error)}`, "body");
  }
}

/** Deepest nesting of objects and arrays accepted in a body (deeper JSON could overflow the stack of whatever walks it). */
export const MAX_JSON_DEPTH = 100;

/** The deepest bracket nesting of JSON text (brackets inside strings do not count); stops counting past 10,000. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 92) index++; // backslash: skip the escaped character
      else if (code === 34) inString = false;
    } else if (code === 34) inString = true;
    else if (code === 123 || code === 91) {
      if (++depth > deepest) deepest = depth;
      if (deepest > 10_000) return deepest;
    } else if (code === 125 || code === 93) depth--;
  }
  return deepest;
}

function tooLarge(maxBytes: number) {
  return httpError(413, `The request body is larger than the server's limit of ${maxBytes} bytes.`, "body");
}
