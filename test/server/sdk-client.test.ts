// Acceptance with the official @langchain/langgraph-sdk client, in both versions users run (1.x and
// 2.x): threads, streamed runs in messages-tuple mode with every token and its metadata, and resuming
// with Last-Event-ID.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client as ClientV1 } from "@langchain/langgraph-sdk";
import { Client as ClientV2 } from "@langchain/langgraph-sdk-v2";
import type { RunningServer } from "weft/server";
import { JOKE, POEM, startServer } from "./fixtures.js";

type Part = { event: string; data: any; id?: string };

for (const [version, Client] of [
  ["1.x", ClientV1],
  ["2.x", ClientV2],
] as const) {
  describe(`weft/server with the LangGraph SDK client ${version}`, () => {
    let server: RunningServer;
    let client: ClientV1;
    before(async () => {
      server = await startServer({ delayMs: 2 });
      client = new Client({ apiUrl: server.url, callerOptions: { maxRetries: 0 } }) as unknown as ClientV1;
    });
    after(() => server.close());

    it("lists the served graph as an assistant", async () => {
      const assistants = await client.assistants.search();
      assert.deepEqual(
        assistants.map((assistant) => [assistant.assistant_id, assistant.graph_id, assistant.name]),
        [["joke-poem", "joke-poem", "joke-poem"]],
      );
      const one = await client.assistants.get("joke-poem");
      assert.equal(one.graph_id, "joke-poem");
    });

    it("streams a thread run in messages-tuple mode: every token, in order, with its metadata", async () => {
      const thread = await client.threads.create({ metadata: { user: "u1" } });
      const parts: Part[] = [];
      let created: { run_id: string; thread_id?: string } | undefined;
      for await (const part of client.runs.stream(thread.thread_id, "joke-poem", {
        input: { topic: "cats" },
        streamMode: "messages-tuple",
        onRunCreated: (metadata) => {
          created = metadata;
        },
      })) {
        parts.push(part as Part);
      }
      assert.equal(parts[0]!.event, "metadata");
      const runId = parts[0]!.data.run_id as string;
      assert.deepEqual(created, { run_id: runId, thread_id: thread.thread_id });
      const messages = parts.slice(1);
      assert.ok(messages.every((part) => part.event === "messages"), `only message events, got ${messages.map((part) => part.event)}`);
      assert.deepEqual(
        messages.map((part) => [part.data[0].content, part.data[1].tags]),
        [...JOKE.map((token) => [token, ["joke"]]), ...POEM.map((token) => [token, ["poem"]])],
      );
      for (const part of messages) {
        const [message, metadata] = part.data;
        assert.equal(message.type, "AIMessageChunk");
        assert.match(message.id, /^run-/);
        assert.equal(metadata.langgraph_node, "callModel");
        assert.equal(metadata.langgraph_step, 1);
        assert.equal(metadata.ls_provider, "fake");
        assert.equal(metadata.ls_model_name, metadata.tags[0] === "joke" ? "fake-joke" : "fake-poem");
        assert.equal(metadata.run_id, runId);
        assert.equal(metadata.thread_id, thread.thread_id);
        assert.equal(metadata.assistant_id, "joke-poem");
      }
      assert.equal(new Set(messages.map((part) => part.data[0].id)).size, 2, "one message id per model call");
      const ids = parts.map((part) => Number(part.id));
      assert.deepEqual(ids, parts.map((_part, index) => index + 1), "ids count up from 1 with no gap");

      const state = await client.threads.getState(thread.thread_id);
      assert.deepEqual(state.values, { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") });
      const run = await client.runs.get(thread.thread_id, runId);
      assert.equal(run.status, "success");
      const threadAfter = await client.threads.get(thread.thread_id);
      assert.equal(threadAfter.status, "idle");
    });

    it("streams values and updates of a stateless run, in order", async () => {
      const parts: Part[] = [];
      for await (const part of client.runs.stream(null, "joke-poem", { input: { topic: "dogs" }, streamMode: ["values", "updates"] })) {
        parts.push(part as Part);
      }
      assert.deepEqual(
        parts.map((part) => part.event),
        ["metadata", "values", "updates", "values"],
      );
      assert.deepEqual(parts[1]!.data, { topic: "dogs" });
      assert.deepEqual(parts[2]!.data, { callModel: { joke: JOKE.join(""), poem: POEM.join("") } });
      assert.deepEqual(parts[3]!.data, { topic: "dogs", joke: JOKE.join(""), poem: POEM.join("") });
    });

    it("a client that disconnects mid-run and joins with Last-Event-ID gets exactly the missed events", async () => {
      const thread = await client.threads.create();
      const first: Part[] = [];
      const leave = new AbortController();
      try {
        for await (const part of client.runs.stream(thread.thread_id, "joke-poem", {
          input: { topic: "cats" },
          streamMode: "messages-tuple",
          streamResumable: true,
          signal: leave.signal,
        })) {
          first.push(part as Part);
          if (first.length === 6) leave.abort();
        }
      } catch (error) {
        assert.equal((error as Error).name, "AbortError");
      }
      assert.equal(first.length, 6);
      const runId = first[0]!.data.run_id as string;
      const lastEventId = first.at(-1)!.id!;

      const rest: Part[] = [];
      for await (const part of client.runs.joinStream(thread.thread_id, runId, { lastEventId })) rest.push(part as Part);

      const tokens = [...first, ...rest].filter((part) => part.event === "messages").map((part) => part.data[0].content);
      assert.deepEqual(tokens, [...JOKE, ...POEM], "no token missing, none twice");
      const ids = [...first, ...rest].map((part) => Number(part.id));
      assert.deepEqual(ids, ids.map((_id, index) => index + 1), "ids continue without gap or duplicate");
      assert.equal(rest[0]!.id, String(Number(lastEventId) + 1));

      // A resumable run replays from its first event to a joiner without Last-Event-ID.
      const replay: Part[] = [];
      for await (const part of client.runs.joinStream(thread.thread_id, runId)) replay.push(part as Part);
      assert.deepEqual(
        replay.map((part) => [part.id, part.event]),
        [...first, ...rest].map((part) => [part.id, part.event]),
      );
      const state = await client.threads.getState(thread.thread_id);
      assert.deepEqual(state.values, { topic: "cats", joke: JOKE.join(""), poem: POEM.join("") });
    });
  });
}
