import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import { WeftError } from "../errors.js";
import { serve } from "./node-adapter.js";

/** The Keep-Alive header a plain HTTP/1.1 request gets back. */
function keepAliveHeaderOf(url: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent: false, headers: { connection: "keep-alive" } }, (incoming) => {
      incoming.resume();
      incoming.on("end", () => resolve(String(incoming.headers["keep-alive"])));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("serve()", () => {
  it("keeps idle connections 65 s by default and tells clients so, so a client's pool closes them first", async () => {
    const server = await serve(async () => new Response("ok"), { port: 0, reclaimIdleMemory: false });
    try {
      assert.equal(await keepAliveHeaderOf(server.url), "timeout=65");
      assert.equal(server.server.keepAliveTimeout, 65_000);
      assert.ok(server.server.headersTimeout > server.server.keepAliveTimeout, "headersTimeout outlasts keepAliveTimeout");
    } finally {
      await server.close();
    }
    const custom = await serve(async () => new Response("ok"), { port: 0, keepAliveTimeoutMs: 10_000, reclaimIdleMemory: false });
    try {
      assert.equal(await keepAliveHeaderOf(custom.url), "timeout=10");
    } finally {
      await custom.close();
    }
  });

  it("refuses a keepAliveTimeoutMs outside 1,000-290,000 whole milliseconds with INVALID_OPTIONS", async () => {
    for (const keepAliveTimeoutMs of [0, -5, 999, 290_001, 1.5, Number.NaN]) {
      await assert.rejects(
        serve(async () => new Response("ok"), { port: 0, keepAliveTimeoutMs, reclaimIdleMemory: false }),
        (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_OPTIONS" && error.message.startsWith("keepAliveTimeoutMs is"),
      );
    }
  });
});
