// The JSON of one event's data, made once per event: what the event logs store, count against their
// byte bounds, and the SSE writer sends as the event's `data:` line.

// The JSON of each messages-mode metadata object, made once: a model call shares one metadata object
// across all its tokens, and serialising it again per token was two thirds of the bytes and time of
// a token's event. Keyed by identity, so an object is cached only while it lives; Weft never changes a
// call's metadata after its first token.
const metadataJsons = new WeakMap<object, string>();

/** The JSON of a messages event's metadata object, made once per object. */
export function metadataJson(metadata: object): string {
  let cached = metadataJsons.get(metadata);
  if (cached === undefined) {
    cached = JSON.stringify(metadata);
    metadataJsons.set(metadata, cached);
  }
  return cached;
}

/**
 * `data` as one line of JSON (JSON.stringify escapes CR and LF inside strings); `undefined`, which
 * has no JSON form, is `null`. A messages event's `[chunk, metadata]` reuses its metadata's JSON.
 *
 * @example
 * eventDataJson("values", { topic: "cats" }); // '{"topic":"cats"}'
 */
export function eventDataJson(event: string, data: unknown): string {
  if (Array.isArray(data) && data.length === 2 && event.startsWith("messages")) {
    const metadata: unknown = data[1];
    if (typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)) {
      // An array element with no JSON form (undefined, a function) is written as null, as JSON.stringify does.
      return `[${JSON.stringify(data[0]) ?? "null"},${metadataJson(metadata)}]`;
    }
  }
  return JSON.stringify(data === undefined ? null : data) ?? "null";
}
