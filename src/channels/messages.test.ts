// addMessages against LangGraph's messagesStateReducer on the same inputs, plus what only Weft has.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AIMessage as LangChainAIMessage,
  HumanMessage as LangChainHumanMessage,
  RemoveMessage as LangChainRemoveMessage,
  SystemMessage as LangChainSystemMessage,
  ToolMessage as LangChainToolMessage,
} from "@langchain/core/messages";
import { REMOVE_ALL_MESSAGES as LANGGRAPH_REMOVE_ALL, messagesStateReducer } from "@langchain/langgraph";
import {
  AIMessage,
  HumanMessage,
  MessagesState,
  REMOVE_ALL_MESSAGES,
  RemoveMessage,
  START,
  StateGraph,
  SystemMessage,
  ToolMessage,
  WeftError,
  addMessages,
  lastValue,
} from "../index.js";

/** Builds the same messages with either library's classes. */
interface Kit {
  human(content: string, id?: string): unknown;
  ai(content: string, id?: string, toolCalls?: Array<{ id: string; name: string; args: Record<string, unknown> }>): unknown;
  system(content: string, id?: string): unknown;
  tool(content: string, toolCallId: string, id?: string): unknown;
  remove(id: string): unknown;
  removeAll: string;
}

const weftKit: Kit = {
  human: (content, id) => new HumanMessage(content, { id }),
  ai: (content, id, toolCalls) => new AIMessage(content, { id, toolCalls }),
  system: (content, id) => new SystemMessage(content, { id }),
  tool: (content, toolCallId, id) => new ToolMessage(content, toolCallId, { id }),
  remove: (id) => new RemoveMessage({ id }),
  removeAll: REMOVE_ALL_MESSAGES,
};

const langChainKit: Kit = {
  human: (content, id) => new LangChainHumanMessage({ content, id }),
  ai: (content, id, toolCalls) => new LangChainAIMessage({ content, id, tool_calls: toolCalls }),
  system: (content, id) => new LangChainSystemMessage({ content, id }),
  tool: (content, toolCallId, id) => new LangChainToolMessage({ content, tool_call_id: toolCallId, id }),
  remove: (id) => new LangChainRemoveMessage({ id }),
  removeAll: LANGGRAPH_REMOVE_ALL,
};

/** A case: a starting list and the updates applied to it in turn. Inputs are made fresh for each library. */
type Case = (kit: Kit) => { left: unknown; updates: unknown[] };

const CASES: Record<string, Case> = {
  "append to an empty list": () => ({
    left: [],
    updates: [[{ type: "human", content: "hi", id: "h1" }, "how are you?", { type: "ai", content: "fine", id: "a1" }]],
  }),
  "replace by id, in place, and append": (kit) => ({
    left: [kit.human("hi", "h1"), kit.ai("hello", "a1"), kit.human("more", "h2")],
    updates: [[{ type: "ai", content: "hello again", id: "a1" }, { role: "user", content: "new" }]],
  }),
  "remove one message": (kit) => ({
    left: [kit.human("hi", "h1"), kit.ai("hello", "a1"), kit.human("bye", "h2")],
    updates: [[kit.remove("a1")]],
  }),
  "remove and re-add the same id in one update": (kit) => ({
    left: [kit.human("hi", "h1"), kit.ai("hello", "a1")],
    updates: [[kit.remove("a1"), { type: "ai", content: "back", id: "a1" }]],
  }),
  "remove all, keeping what follows": (kit) => ({
    left: [kit.human("hi", "h1"), kit.ai("hello", "a1")],
    updates: [[kit.human("gone too", "h3"), kit.remove(kit.removeAll), { type: "human", content: "fresh", id: "h9" }]],
  }),
  "bare strings, alone and in a list, over several updates": () => ({
    left: [],
    updates: ["just a string", ["a", "b"], "c"],
  }),
  "LangChain dict shapes, tuples and the serialized form": () => ({
    left: [],
    updates: [
      [
        { role: "system", content: "be brief" },
        ["human", "a tuple"],
        { lc: 1, type: "constructor", id: ["langchain_core", "messages", "HumanMessage"], kwargs: { content: "serialized", id: "s1" } },
        { type: "ai", content: "", id: "a2", tool_calls: [{ id: "c1", name: "lookup", args: { q: "x" }, type: "tool_call" }] },
        { type: "tool", content: "42", tool_call_id: "c1", id: "t1", name: "lookup" },
        { type: "human", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "https://example.com/cat.png" } }] },
      ],
    ],
  }),
  "class instances of each library": (kit) => ({
    left: [kit.system("sys", "s0"), kit.human("q", "h1")],
    updates: [
      [kit.ai("", "a1", [{ id: "c1", name: "f", args: { n: 1 } }]), kit.tool("r", "c1", "t1")],
      [kit.ai("done", undefined), kit.human("q2")],
    ],
  }),
};

type View = { type: string; content: unknown; id: string; name?: string; toolCalls?: unknown; toolCallId?: string };

/** What both results are compared on; ids the inputs did not give are named by order of appearance. */
function view(messages: unknown[], givenIds: Set<string>, generated: Map<string, string>): View[] {
  return messages.map((message) => {
    const fields = message as Record<string, any>;
    const id = String(fields.id);
    if (!givenIds.has(id) && !generated.has(id)) generated.set(id, `generated-${generated.size}`);
    const result: View = { type: fields.type, content: fields.content, id: givenIds.has(id) ? id : generated.get(id)! };
    if (fields.name !== undefined) result.name = fields.name;
    const toolCalls = fields.tool_calls ?? [];
    if (toolCalls.length > 0) result.toolCalls = toolCalls.map((call: any) => ({ id: call.id, name: call.name, args: call.args }));
    if (fields.tool_call_id !== undefined) result.toolCallId = fields.tool_call_id;
    return result;
  });
}

const GIVEN_IDS = new Set(["h1", "h2", "h3", "h9", "a1", "a2", "s0", "s1", "t1", REMOVE_ALL_MESSAGES]);

function runAll(reduce: (left: any, right: any) => unknown[], make: Case, kit: Kit): View[][] {
  const { left, updates } = make(kit);
  const generated = new Map<string, string>();
  let state = reduce(left, []);
  const views = [view(state, GIVEN_IDS, generated)];
  for (const update of updates) {
    state = reduce(state, update);
    views.push(view(state, GIVEN_IDS, generated));
  }
  return views;
}

describe("addMessages gives LangGraph's messagesStateReducer results", () => {
  for (const [name, make] of Object.entries(CASES)) {
    it(name, () => {
      const expected = runAll(messagesStateReducer as never, make, langChainKit);
      assert.deepEqual(runAll(addMessages as never, make, weftKit), expected, "Weft messages");
      assert.deepEqual(runAll(addMessages as never, make, langChainKit), expected, "LangChain message instances given to Weft");
    });
  }

  it("a RemoveMessage for an id not in the list fails in both; Weft's error is INVALID_UPDATE and says what to do", () => {
    assert.throws(() => messagesStateReducer([new LangChainHumanMessage({ content: "hi", id: "h1" })], [new LangChainRemoveMessage({ id: "nope" })]));
    assert.throws(
      () => addMessages([new HumanMessage("hi", { id: "h1" })], [new RemoveMessage({ id: "nope" })]),
      (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_UPDATE" && /"nope".*Remove only ids present/.test(error.message),
    );
  });
});

describe("addMessages", () => {
  it("after REMOVE_ALL_MESSAGES, merges what follows (one message per id, no RemoveMessage kept), where LangGraph copies it as it is", () => {
    const after = (kit: Kit) => [kit.remove(kit.removeAll), kit.ai("first", "a1"), kit.ai("second", "a1"), kit.human("q", "h1")];
    const left = (kit: Kit) => [kit.human("old", "h0")];
    const langGraph = messagesStateReducer(left(langChainKit) as never, after(langChainKit) as never);
    assert.deepEqual(langGraph.map((message) => [message.id, message.content]), [["a1", "first"], ["a1", "second"], ["h1", "q"]]);
    const weft = addMessages(left(weftKit) as never, after(weftKit) as never);
    assert.deepEqual(weft.map((message) => [message.id, message.content]), [["a1", "second"], ["h1", "q"]]);
  });

  it("gives a Weft message without an id its id in place, keeps classes, and leaves `left` as it was", () => {
    const left = [new HumanMessage("hi", { id: "h1" })];
    const answer = new AIMessage("hello");
    const result = addMessages(left, [answer, { role: "tool", content: "42", toolCallId: "c1" }]);
    assert.equal(result[1], answer);
    assert.match(answer.id!, /^[0-9a-f-]{36}$/);
    assert.ok(result[2] instanceof ToolMessage);
    assert.equal((result[2] as ToolMessage).toolCallId, "c1");
    assert.equal(left.length, 1);
  });

  it("refuses what is not a message, naming it", () => {
    assert.throws(() => addMessages([], [42 as never]), (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_MESSAGES" && /new message 0 is 42/.test(error.message));
    assert.throws(() => addMessages([], [{ type: "tool", content: "x" }]), /without `toolCallId`.*tool_call_id/);
    assert.throws(() => addMessages([], [{ role: "user", content: [{ type: "audio" }] } as never]), /content block 0.*"audio"/);
    assert.throws(() => new RemoveMessage({ id: "" }), /needs the string id/);
  });

  it("MessagesState reduces a graph's messages, also spread into a larger schema", async () => {
    const graph = new StateGraph({ ...MessagesState, summary: lastValue<string>() })
      .addNode("reply", (state) => ({ messages: [{ role: "assistant", content: `${state.messages.length} so far` }], summary: "replied" }))
      .addEdge(START, "reply")
      .compile();
    const result = await graph.invoke({ messages: [{ type: "human", content: "hi" }] });
    assert.deepEqual(result.messages.map((message) => [message.type, message.content]), [["human", "hi"], ["ai", "1 so far"]]);
    assert.equal(result.summary, "replied");
    assert.ok(result.messages.every((message) => typeof message.id === "string"));
  });
});
