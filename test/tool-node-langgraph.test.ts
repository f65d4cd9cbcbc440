// Weft's ToolNode beside LangGraph.js's on the same graphs: tools that return a Command (an update
// with its own ToolMessage, a goto, a Command to the parent graph), LangChain tools (their tools-mode
// events, streamed progress and errors), and tool results that are message instances.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ToolMessage as LangChainToolMessage } from "@langchain/core/messages";
import { tool as langChainTool } from "@langchain/core/tools";
import {
  Command as LangGraphCommand,
  END as LANGGRAPH_END,
  MessagesAnnotation,
  START as LANGGRAPH_START,
  StateGraph as LangGraphStateGraph,
  Annotation,
} from "@langchain/langgraph";
import { ToolNode as LangGraphToolNode } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { AIMessage, Command, END, MessagesState, START, StateGraph, ToolMessage, WeftError, lastValue, reducer, tool } from "weft";
import { ToolNode } from "weft/prebuilt";

const schema = z.object({ city: z.string() });
const aiWithCalls = (...calls: Array<[id: string, name: string, city: string]>) => ({
  type: "ai",
  content: "",
  tool_calls: calls.map(([id, name, city]) => ({ id, name, args: { city }, type: "tool_call" as const })),
});

/** A message as both libraries' states are compared on. A LangChain ToolMessage made without a status has none; Weft's says "success". */
function summary(message: any) {
  const type = typeof message._getType === "function" ? message._getType() : message.type;
  return { type, content: message.content, toolCallId: message.tool_call_id, name: message.name, status: type === "tool" ? (message.status ?? "success") : undefined };
}

async function collect(stream: AsyncIterable<[string, any]>) {
  const nodes: string[] = [];
  const tools: unknown[] = [];
  let values: any;
  for await (const [mode, chunk] of stream) {
    if (mode === "updates") nodes.push(...Object.keys(chunk));
    else if (mode === "values") values = chunk;
    else if (mode === "tools") {
      const event: Record<string, unknown> = { event: chunk.event, name: chunk.name, toolCallId: chunk.toolCallId };
      // LangGraph.js sends the input as JSON text, Weft as the arguments object.
      if (chunk.input !== undefined) event.input = typeof chunk.input === "string" ? JSON.parse(chunk.input) : chunk.input;
      if (chunk.data !== undefined) event.data = chunk.data;
      if (chunk.output !== undefined) event.output = summary(chunk.output);
      if (chunk.error !== undefined) event.error = chunk.error.message;
      tools.push(event);
    }
  }
  return { nodes, tools, messages: values.messages.map(summary), values };
}

describe("a tool that returns a Command, in Weft's ToolNode and LangGraph.js's", () => {
  it("the Command's update (its own ToolMessage, another key) and goto apply; the other call's ToolMessage is kept, in call order", async () => {
    const weather = async ({ city }: { city: string }) => `Sunny in ${city}`;
    const remember = (CommandClass: any, ToolMessageClass: any) => async ({ city }: { city: string }, config: any) =>
      new CommandClass({
        update: { messages: [new ToolMessageClass({ content: `Remembered ${city}`, tool_call_id: config.toolCall.id, name: "remember" })], note: city },
        goto: "after",
      });
    const input = { messages: [aiWithCalls(["c1", "remember", "Oslo"], ["c2", "get_weather", "Lima"])] };
    const after = () => ({ note: "after ran" });

    const LangGraphState = Annotation.Root({ ...MessagesAnnotation.spec, note: Annotation<string> });
    const langGraph = new LangGraphStateGraph(LangGraphState)
      .addNode("tools", new LangGraphToolNode([
        langChainTool(remember(LangGraphCommand, LangChainToolMessage), { name: "remember", description: "r", schema }),
        langChainTool(weather, { name: "get_weather", description: "w", schema }),
      ]), { ends: ["after"] })
      .addNode("after", after)
      .addEdge(LANGGRAPH_START, "tools")
      .compile();
    const expected = await collect((await langGraph.stream(input as never, { streamMode: ["updates", "values"] })) as never);

    const weft = new StateGraph({ ...MessagesState, note: lastValue<string>() })
      .addNode("tools", new ToolNode([tool(remember(Command, ToolMessage), { name: "remember", schema }), tool(weather, { name: "get_weather", schema })]), { ends: ["after"] })
      .addNode("after", after)
      .addEdge(START, "tools")
      .compile();
    const actual = await collect(weft.stream(input, { streamMode: ["updates", "values"] }) as never);

    assert.deepEqual(expected.nodes, ["tools", "after"]);
    assert.deepEqual(expected.messages.slice(1).map((message: any) => [message.type, message.content, message.toolCallId]), [
      ["tool", "Remembered Oslo", "c1"],
      ["tool", "Sunny in Lima", "c2"],
    ]);
    assert.equal(expected.values.note, "after ran");
    assert.deepEqual(actual.nodes, expected.nodes);
    assert.deepEqual(actual.messages, expected.messages);
    assert.equal(actual.values.note, expected.values.note);
  });

  it("a Command to the parent graph (a hand-off) leaves the subgraph and updates and routes its parent", async () => {
    const handOff = (CommandClass: any, ToolMessageClass: any) => async (_input: unknown, config: any) =>
      new CommandClass({
        graph: CommandClass.PARENT,
        goto: "billing",
        update: { messages: [new ToolMessageClass({ content: "Handed off to billing", tool_call_id: config.toolCall.id, name: "hand_off" })] },
      });
    const input = { messages: [aiWithCalls(["h1", "hand_off", "-"])] };
    const billing = () => ({ messages: [{ type: "ai", content: "Billing here." }] });

    const langGraphInner = new LangGraphStateGraph(MessagesAnnotation)
      .addNode("tools", new LangGraphToolNode([langChainTool(handOff(LangGraphCommand, LangChainToolMessage), { name: "hand_off", description: "h", schema })]))
      .addEdge(LANGGRAPH_START, "tools")
      .compile();
    const langGraph = new LangGraphStateGraph(MessagesAnnotation)
      .addNode("support", langGraphInner, { ends: ["billing"] })
      .addNode("billing", billing)
      .addEdge(LANGGRAPH_START, "support")
      .addEdge("billing", LANGGRAPH_END)
      .compile();
    const expected = await collect((await langGraph.stream(input as never, { streamMode: ["updates", "values"] })) as never);

    const weftInner = new StateGraph(MessagesState)
      .addNode("tools", new ToolNode([tool(handOff(Command, ToolMessage), { name: "hand_off", schema })]))
      .addEdge(START, "tools")
      .compile();
    const weft = new StateGraph(MessagesState)
      .addNode("support", weftInner, { ends: ["billing"] })
      .addNode("billing", billing)
      .addEdge(START, "support")
      .addEdge("billing", END)
      .compile();
    const actual = await collect(weft.stream(input, { streamMode: ["updates", "values"] }) as never);

    assert.deepEqual(expected.nodes, ["support", "billing"]);
    assert.deepEqual(expected.messages.map((message: any) => [message.type, message.content]), [["ai", ""], ["tool", "Handed off to billing"], ["ai", "Billing here."]]);
    assert.deepEqual(actual.nodes, expected.nodes);
    assert.deepEqual(actual.messages, expected.messages);
  });

  it("a LangChain tool may return Weft's Command too (LangChain passes it through, as it does LangGraph's)", async () => {
    const remember = langChainTool(async ({ city }: { city: string }, config: any) => new Command({ update: { messages: [new ToolMessage(`Remembered ${city}`, config.toolCall.id)] } }), {
      name: "remember",
      description: "r",
      schema,
    });
    const output = await new ToolNode([remember]).invoke({ messages: [aiWithCalls(["c1", "remember", "Oslo"])] });
    assert.ok(output instanceof Command);
    assert.deepEqual((output.update as { messages: ToolMessage[] }).messages.map((message) => [message.content, message.toolCallId]), [["Remembered Oslo", "c1"]]);
  });

  it("two tools whose Commands update the same key both reach its reducer, in call order, as in LangGraph.js", async () => {
    const note = (CommandClass: any, ToolMessageClass: any) => async ({ city }: { city: string }, config: any) =>
      new CommandClass({ update: { notes: [city], messages: [new ToolMessageClass({ content: `Noted ${city}`, tool_call_id: config.toolCall.id, name: "note" })] } });
    const input = { messages: [aiWithCalls(["c1", "note", "Oslo"], ["c2", "note", "Lima"])] };
    const append = (left: string[], right: string[]) => left.concat(right);

    const LangGraphState = Annotation.Root({ ...MessagesAnnotation.spec, notes: Annotation<string[]>({ reducer: append, default: () => [] }) });
    const langGraph = new LangGraphStateGraph(LangGraphState)
      .addNode("tools", new LangGraphToolNode([langChainTool(note(LangGraphCommand, LangChainToolMessage), { name: "note", description: "n", schema })]))
      .addEdge(LANGGRAPH_START, "tools")
      .compile();
    const expected = await collect((await langGraph.stream(input as never, { streamMode: ["updates", "values"] })) as never);

    const weft = new StateGraph({ ...MessagesState, notes: reducer(append, [] as string[]) })
      .addNode("tools", new ToolNode([tool(note(Command, ToolMessage), { name: "note", schema })]))
      .addEdge(START, "tools")
      .compile();
    const actual = await collect(weft.stream(input, { streamMode: ["updates", "values"] }) as never);

    assert.deepEqual(expected.values.notes, ["Oslo", "Lima"]);
    assert.deepEqual(actual.values.notes, expected.values.notes);
    assert.deepEqual(actual.messages, expected.messages);
  });

  it("a Command whose update is LangGraph's list of [key, value] pairs writes each pair; updates mode shows one object per pair", async () => {
    const append = (left: string[], right: string[]) => left.concat(right);
    const lang = new LangGraphStateGraph(Annotation.Root({ log: Annotation<string[]>({ reducer: append, default: () => [] }), x: Annotation<string> }))
      .addNode("n", () => new LangGraphCommand({ update: [["log", ["a"]], ["log", ["b"]], ["x", "1"]] }))
      .addEdge(LANGGRAPH_START, "n")
      .compile();
    const weft = new StateGraph({ log: reducer(append, [] as string[]), x: lastValue<string>() })
      .addNode("n", () => new Command({ update: [["log", ["a"]], ["log", ["b"]], ["x", "1"]] }))
      .addEdge(START, "n")
      .compile();
    const chunksOf = async (stream: AsyncIterable<unknown>) => {
      const all: unknown[] = [];
      for await (const chunk of stream) all.push(chunk);
      return all;
    };
    const expected = await chunksOf((await lang.stream({ log: [] }, { streamMode: ["updates", "values"] })) as never);
    assert.deepEqual(expected.at(-1), ["values", { log: ["a", "b"], x: "1" }]);
    assert.deepEqual(await chunksOf(weft.stream({ log: [] }, { streamMode: ["updates", "values"] })), expected);
    await assert.rejects(
      new StateGraph({ x: lastValue<string>() }).addNode("n", () => new Command({ update: [["y", 1]] })).addEdge(START, "n").compile().invoke({}),
      (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_UPDATE" && /unknown state key "y"/.test(error.message),
    );
    await assert.rejects(
      new StateGraph({ x: lastValue<string>() }).addNode("n", () => new Command({ update: [["x"]] as never })).addEdge(START, "n").compile().invoke({}),
      (error: unknown) => WeftError.isInstance(error) && error.code === "INVALID_NODE_RETURN" && /update entry 0 is .*\[key, value\] pairs/.test(error.message),
    );
  });
});

describe("LangChain tools in Weft's ToolNode report to tools mode as in LangGraph.js", () => {
  it("on_tool_start, each streamed event, on_tool_end; and on_tool_error for a throwing tool", async () => {
    const progress = langChainTool(
      async function* ({ city }: { city: string }) {
        yield { step: 1 };
        yield { step: 2 };
        return `Sunny in ${city}`;
      },
      { name: "get_weather", description: "w", schema },
    );
    const failing = langChainTool(async (): Promise<string> => {
      throw new Error("station offline");
    }, { name: "get_rain", description: "r", schema });
    const input = { messages: [aiWithCalls(["c1", "get_weather", "Oslo"])] };
    const failingInput = { messages: [aiWithCalls(["c2", "get_rain", "Oslo"])] };

    const runLangGraph = async (graphInput: unknown) => {
      const graph = new LangGraphStateGraph(MessagesAnnotation).addNode("tools", new LangGraphToolNode([progress, failing])).addEdge(LANGGRAPH_START, "tools").compile();
      return collect((await graph.stream(graphInput as never, { streamMode: ["tools", "values"] })) as never);
    };
    const runWeft = (graphInput: any) => {
      const graph = new StateGraph(MessagesState).addNode("tools", new ToolNode([progress, failing])).addEdge(START, "tools").compile();
      return collect(graph.stream(graphInput, { streamMode: ["tools", "values"] }) as never);
    };

    const expected = await runLangGraph(input);
    assert.deepEqual(expected.tools, [
      { event: "on_tool_start", name: "get_weather", toolCallId: "c1", input: { city: "Oslo" } },
      { event: "on_tool_event", name: "get_weather", toolCallId: "c1", data: { step: 1 } },
      { event: "on_tool_event", name: "get_weather", toolCallId: "c1", data: { step: 2 } },
      { event: "on_tool_end", name: "get_weather", toolCallId: "c1", output: { type: "tool", content: "Sunny in Oslo", toolCallId: "c1", name: "get_weather", status: "success" } },
    ]);
    const actual = await runWeft(input);
    assert.deepEqual(actual.tools, expected.tools);
    assert.deepEqual(actual.messages, expected.messages);

    const expectedError = await runLangGraph(failingInput);
    assert.deepEqual(expectedError.tools.map((event: any) => [event.event, event.error]), [["on_tool_start", undefined], ["on_tool_error", "station offline"]]);
    const actualError = await runWeft(failingInput);
    assert.deepEqual(actualError.tools, expectedError.tools);
    assert.deepEqual(actualError.messages, expectedError.messages);
  });
});

describe("a tool's result that is a message", () => {
  it("a LangChain ToolMessage is read as a ToolMessage (content, status, artifact), not JSON; another message answers with its content", async () => {
    const lookup = tool(async (_input, config) => new LangChainToolMessage({ content: "42", tool_call_id: config.toolCall!.id, status: "success", artifact: { rows: 3 } }), {
      name: "lookup",
    });
    const echo = tool(async () => new AIMessage("echoed"), { name: "echo" });
    const answer = (await lookup.invoke({ type: "tool_call", id: "q1", name: "lookup", args: {} })) as ToolMessage;
    assert.ok(answer instanceof ToolMessage);
    assert.deepEqual([answer.content, answer.toolCallId, answer.name, answer.status, answer.artifact], ["42", "q1", "lookup", "success", { rows: 3 }]);
    const echoed = (await echo.invoke({ type: "tool_call", id: "e1", name: "echo", args: {} })) as ToolMessage;
    assert.deepEqual([echoed.content, echoed.toolCallId, echoed.name], ["echoed", "e1", "echo"]);
  });
});
