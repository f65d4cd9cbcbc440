// Users and their threads: `authenticate` verifying a JWT with jose (as docs/server.md shows), 401
// without valid credentials, and each identity seeing only its own threads and runs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "@langchain/langgraph-sdk";
import { SignJWT, jwtVerify } from "jose";
import type { RunningServer } from "weft/server";
import { startServer } from "./fixtures.js";

const secret = new TextEncoder().encode("a test secret of at least 32 bytes!!");
const tokenFor = (user: string) => new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject(user).setExpirationTime("5m").sign(secret);

describe("authenticate", () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({
      authenticate: async (request) => {
        const token = request.headers.get("Authorization")?.replace(/^Bearer /, "");
        if (token === undefined) return null;
        const { payload } = await jwtVerify(token, secret);
        return { identity: payload.sub! };
      },
    });
  });
  after(() => server.close());

  const clientFor = async (user: string) => new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 }, defaultHeaders: { Authorization: `Bearer ${await tokenFor(user)}` } });

  it("answers 401 without a token, with a bad one, and with a forged one", async () => {
    assert.equal((await fetch(`${server.url}/threads/search`, { method: "POST" })).status, 401);
    assert.equal((await fetch(`${server.url}/threads/search`, { method: "POST", headers: { Authorization: "Bearer nonsense" } })).status, 401);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("alice").sign(new TextEncoder().encode("another secret of at least 32 bytes"));
    assert.equal((await fetch(`${server.url}/threads/search`, { method: "POST", headers: { Authorization: `Bearer ${forged}` } })).status, 401);
    assert.equal((await fetch(`${server.url}/ok`)).status, 200, "the health route needs no identity");
  });

  it("a user's threads and runs are invisible to another user", async () => {
    const alice = await clientFor("alice");
    const bob = await clientFor("bob");
    const thread = await alice.threads.create();
    assert.equal(thread.metadata?.owner, "alice");
    const values = await alice.runs.wait(thread.thread_id, "joke-poem", { input: { topic: "cats" } });
    assert.equal((values as { topic: string }).topic, "cats");
    await assert.rejects(bob.threads.get(thread.thread_id), (error: { status?: number }) => error.status === 404);
    await assert.rejects(bob.runs.list(thread.thread_id), (error: { status?: number }) => error.status === 404);
    assert.deepEqual((await bob.threads.search()).map((each) => each.thread_id), []);
    assert.deepEqual((await alice.threads.search()).map((each) => each.thread_id), [thread.thread_id]);
    await assert.rejects(bob.threads.update(thread.thread_id, { metadata: { owner: "bob" } }), (error: { status?: number }) => error.status === 404);
    const updated = await alice.threads.update(thread.thread_id, { metadata: { owner: "mallory", note: "x" } });
    assert.equal(updated.metadata?.owner, "alice", "the owner cannot be rewritten through metadata");
  });
});
