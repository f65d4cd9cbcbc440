// Assistants as records, with the official SDK client: create, get, update (versions), search, count and
// delete an assistant over a served graph; a run of it starts from its config and context; the records
// outlive a restart (SQLite); another identity neither sees nor changes them; bad input is a 422 naming the field.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Client } from "@langchain/langgraph-sdk";
import { START, StateGraph, lastValue } from "weft";
import { type RunningServer, SqliteRecordStore, createHandler, serve } from "weft/server";

/** A graph whose answer shows the config its run got: configurable.greeting, the context's name, and the run's tags. */
function greeter() {
  return new StateGraph({ who: lastValue<string>(), said: lastValue<string>() })
    .addNode("greet", (state: { who: string }, config) => ({
      said: `${String(config.configurable?.greeting ?? "hi")} ${state.who} from ${String(config.configurable?.name ?? "nobody")} [${config.tags.join(",")}]`,
    }))
    .addEdge(START, "greet")
    .compile({ name: "greeter" });
}

async function start(path: string, users = false): Promise<{ server: RunningServer; store: SqliteRecordStore }> {
  const store = new SqliteRecordStore(path);
  const handler = createHandler({
    graphs: { greeter: greeter() },
    store,
    heartbeatMs: 0,
    ...(users ? { authenticate: async (request: Request) => ({ identity: request.headers.get("x-user") ?? "anonymous" }) } : {}),
  });
  return { server: await serve(handler, { port: 0 }), store };
}

describe("assistants as records", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-assistants-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates, reads, updates, searches, counts and deletes assistants; runs start from their config; they outlive a restart", async () => {
    let { server, store } = await start(join(dir, "records.db"));
    let client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
    const made = await client.assistants.create({
      graphId: "greeter",
      name: "Polite greeter",
      config: { configurable: { greeting: "good day" }, tags: ["polite"] },
      context: { name: "Weft" },
      metadata: { team: "docs" },
    });
    assert.equal(made.graph_id, "greeter");
    assert.equal(made.version, 1);
    assert.deepEqual(await client.assistants.get(made.assistant_id), made);

    // A run of the assistant starts from its config and context; the run's own configurable wins.
    const run = await client.runs.wait(null, made.assistant_id, { input: { who: "Ada" } });
    assert.deepEqual(run, { who: "Ada", said: "good day Ada from Weft [polite]" });
    const overridden = await client.runs.wait(null, made.assistant_id, { input: { who: "Ada" }, config: { configurable: { greeting: "hello" } } });
    assert.equal((overridden as { said: string }).said, "hello Ada from Weft [polite]");

    const updated = await client.assistants.update(made.assistant_id, { config: { configurable: { greeting: "welcome" } }, metadata: { stage: "beta" } });
    assert.equal(updated.version, 2);
    assert.deepEqual(updated.metadata, { team: "docs", stage: "beta" });
    assert.equal(((await client.runs.wait(null, made.assistant_id, { input: { who: "Bo" } })) as { said: string }).said, "welcome Bo from Weft []");

    const other = await client.assistants.create({ graphId: "greeter", name: "Terse", metadata: { team: "ops" } });
    assert.deepEqual(
      (await client.assistants.search({ graphId: "greeter" })).map((assistant) => assistant.assistant_id),
      ["greeter", other.assistant_id, made.assistant_id],
      "the served graph first, then the assistants made on it, newest first",
    );
    assert.deepEqual((await client.assistants.search({ metadata: { team: "docs" } })).map((assistant) => assistant.name), ["Polite greeter"]);
    assert.equal(await client.assistants.count({ graphId: "greeter" }), 3);
    assert.deepEqual((await client.assistants.getSchemas(made.assistant_id)).graph_id, "greeter");

    // A restart keeps them.
    await server.close();
    await store.close();
    ({ server, store } = await start(join(dir, "records.db")));
    client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } });
    assert.deepEqual(await client.assistants.get(made.assistant_id), updated);

    await client.assistants.delete(made.assistant_id);
    await assert.rejects(client.assistants.get(made.assistant_id), /404/);
    await assert.rejects(client.runs.wait(null, made.assistant_id, { input: { who: "Cy" } }), /404/);
    await server.close();
    await store.close();
  });

  it("keeps the served graphs read-only, and refuses bad input with 422 naming the field", async () => {
    const { server, store } = await start(join(dir, "bad.db"));
    const post = (path: string, body: unknown, method = "POST") => fetch(`${server.url}${path}`, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const cases: Array<[string, unknown, string]> = [
      ["/assistants", {}, "graph_id"],
      ["/assistants", { graph_id: "nope" }, "graph_id"],
      ["/assistants", { graph_id: "greeter", assistant_id: "has space" }, "assistant_id"],
      ["/assistants", { graph_id: "greeter", config: { callbacks: [] } }, "config"],
      ["/assistants", { graph_id: "greeter", config: { recursion_limit: 0 } }, "config"],
      ["/assistants", { graph_id: "greeter", name: 7 }, "name"],
      ["/assistants", { graph_id: "greeter", metadata: [] }, "metadata"],
      ["/assistants", { graph_id: "greeter", surprise: true }, "surprise"],
      ["/assistants/search", { sort_by: "name" }, "sort_by"],
      ["/assistants/search", { limit: 0 }, "limit"],
    ];
    for (const [path, body, field] of cases) {
      const response = await post(path, body);
      assert.equal(response.status, 422, `${path} ${JSON.stringify(body)}`);
      assert.equal((await response.json()).field, field, `${path} ${JSON.stringify(body)}`);
    }
    assert.equal((await post("/assistants", { graph_id: "greeter", assistant_id: "greeter" })).status, 409, "a served graph's id is taken");
    assert.equal((await post("/assistants/greeter", { name: "x" }, "PATCH")).status, 409);
    assert.equal((await fetch(`${server.url}/assistants/greeter`, { method: "DELETE" })).status, 409);
    const made = await (await post("/assistants", { graph_id: "greeter", assistant_id: "fixed-id" })).json();
    assert.equal((await post("/assistants", { graph_id: "greeter", assistant_id: "fixed-id" })).status, 409);
    assert.deepEqual(await (await post("/assistants", { graph_id: "greeter", assistant_id: "fixed-id", if_exists: "do_nothing" })).json(), made);
    await server.close();
    await store.close();
  });

  it("one identity's assistants are invisible to another: 404 on read, update, delete and runs, and absent from search", async () => {
    const { server, store } = await start(join(dir, "users.db"), true);
    const as = (user: string) => new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 }, defaultHeaders: { "x-user": user } });
    const mine = await as("alice").assistants.create({ graphId: "greeter", name: "Alice's" });
    await assert.rejects(as("mallory").assistants.get(mine.assistant_id), /404/);
    await assert.rejects(as("mallory").assistants.update(mine.assistant_id, { name: "Mallory's" }), /404/);
    await assert.rejects(as("mallory").assistants.delete(mine.assistant_id), /404/);
    await assert.rejects(as("mallory").runs.wait(null, mine.assistant_id, { input: { who: "x" } }), /404/);
    assert.deepEqual((await as("mallory").assistants.search({})).map((assistant) => assistant.assistant_id), ["greeter"]);
    assert.equal((await as("alice").assistants.get(mine.assistant_id)).name, "Alice's", "unchanged");
    await server.close();
    await store.close();
  });
});
