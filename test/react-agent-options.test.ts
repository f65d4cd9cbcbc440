// createReactAgent's options as LangGraph.js 1.7 defines them (stateSchema, prompt, preModelHook,
// postModelHook, responseFormat), run beside LangGraph.js's agent on the same script; LangGraph.js's
// option names Weft does not take are refused, naming Weft's way.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AIMessageChunk as LangChainAIMessageChunk, type BaseMessage, SystemMessage as LangChainSystemMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { tool as langChainTool } from "@langchain/core/tools";
import { Annotation, MessagesAnnotation } from "@langchain/langgraph";
import { createReactAgent as createLangGraphAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { MessagesState, SystemMessage, WeftError, lastValue, tool } from "weft";
import { createReactAgent } from "weft/prebuilt";
import { FakeChatModel } from "weft/testing";
import { ScriptedLangChainModel } from "./support/scripted-langchain-model.js";

const schema = z.object({ city: z.string() });
const weather = async ({ city }: { city: string }) => `Sunny in ${city}`;
const answerSchema = z.object({ city: z.string(), sunny: z.boolean() });
const SCRIPT = [
  { content: "", toolCalls: [{ id: "c1", name: "get_weather", args: { city: "Paris" } }] },
  { content: "Sunny in Paris." },
  { content: "", toolCalls: [{ id: "s1", name: "extract", args: { city: "Paris", sunny: true } }] },
];

/** LangChain's own withStructuredOutput reads the answer only from an AIMessageChunk, as its streaming models give. */
class ScriptedChunkModel extends ScriptedLangChainModel {
  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const result = await super._generate(messages);
    const message = result.generations[0]!.message as unknown as { content: string; tool_calls: [] };
    return { generations: [{ text: message.content, message: new LangChainAIMessageChunk({ content: message.content, tool_calls: message.tool_calls }) }] };
  }
}

const typeOf = (message: any) => (typeof message._getType === "function" ? message._getType() : message.type);
const textOf = (message: any) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content));

/** The hooks and prompt, written once for both libraries: they only read and return plain state. */
const prompt = (state: any) => [{ role: "system", content: `The user is ${state.userName}.` }, ...state.messages];
const preModelHook = (state: any) => ({ llmInputMessages: state.messages.slice(-1) });
const postModelHook = (state: any) => ({ visits: (state.visits ?? 0) + 1 });

async function observe(stream: AsyncIterable<[string, any]>, calls: any[][]) {
  const nodes: string[] = [];
  let values: any;
  for await (const [mode, chunk] of stream) {
    if (mode === "updates") nodes.push(...Object.keys(chunk));
    else values = chunk;
  }
  return {
    nodes,
    messages: values.messages.map((message: any) => [typeOf(message), textOf(message)]),
    structuredResponse: values.structuredResponse,
    visits: values.visits,
    userName: values.userName,
    modelInputs: calls.map((call) => call.map((message) => [typeOf(message), textOf(message)])),
  };
}

describe("createReactAgent options, Weft beside LangGraph.js", () => {
  it("stateSchema, prompt, preModelHook (llmInputMessages), postModelHook and responseFormat give the same run", async () => {
    const input = { messages: [{ role: "user" as const, content: "Weather in Paris?" }], userName: "Ada" };

    const langGraphModel = new ScriptedChunkModel(SCRIPT);
    const langGraph = createLangGraphAgent({
      llm: langGraphModel,
      tools: [langChainTool(weather, { name: "get_weather", description: "w", schema })],
      stateSchema: Annotation.Root({ ...MessagesAnnotation.spec, userName: Annotation<string>, visits: Annotation<number>, structuredResponse: Annotation<unknown> }),
      prompt: prompt as never,
      preModelHook: preModelHook as never,
      postModelHook: postModelHook as never,
      responseFormat: answerSchema,
    });
    const expected = await observe((await langGraph.stream(input as never, { streamMode: ["updates", "values"] })) as never, langGraphModel.calls);
    assert.deepEqual(expected.nodes, [
      "pre_model_hook",
      "agent",
      "post_model_hook",
      "tools",
      "pre_model_hook",
      "agent",
      "post_model_hook",
      "generate_structured_response",
    ]);
    assert.deepEqual(expected.structuredResponse, { city: "Paris", sunny: true });
    // The pre-model hook's llmInputMessages (the last message only) is what the prompt and model see; the structured call sees all.
    assert.deepEqual(expected.modelInputs.slice(0, 2), [
      [["system", "The user is Ada."], ["human", "Weather in Paris?"]],
      [["system", "The user is Ada."], ["tool", "Sunny in Paris"]],
    ]);
    assert.equal(expected.modelInputs[2]!.length, 4);

    const llm = new FakeChatModel({ responses: SCRIPT });
    const weft = createReactAgent({
      llm,
      tools: [tool(weather, { name: "get_weather", description: "w", schema })],
      stateSchema: { ...MessagesState, userName: lastValue<string>(), visits: lastValue<number>() },
      prompt,
      preModelHook,
      postModelHook,
      responseFormat: answerSchema,
    });
    const actual = await observe(weft.stream(input, { streamMode: ["updates", "values"] }) as never, llm.calls);
    assert.deepEqual(actual, expected);
    // The structured call is made to call the schema's tool (LangGraph.js's ScriptedLangChainModel ignores tool_choice).
    assert.deepEqual(llm.toolChoiceOfCalls, [undefined, undefined, { type: "tool", name: "extract" }]);
    assert.deepEqual(llm.toolsOfCalls[2]!.map((definition) => definition.name), ["extract"]);
  });

  it("a LangChain SystemMessage (or Weft's) as prompt is put before the messages", async () => {
    for (const system of [new LangChainSystemMessage("Be brief."), new SystemMessage("Be brief.")]) {
      const llm = new FakeChatModel({ responses: ["Hi."] });
      await createReactAgent({ llm, tools: [], prompt: system }).invoke({ messages: [{ role: "user", content: "hi" }] });
      assert.deepEqual(llm.calls[0]!.map((message) => [message.type, message.text]), [["system", "Be brief."], ["human", "hi"]]);
    }
  });

  it("a structured answer the schema refuses is a MODEL_CALL error naming the field", async () => {
    const llm = new FakeChatModel({ responses: ["Done.", { toolCalls: [{ name: "extract", args: { city: 3 } }] }] });
    const agent = createReactAgent({ llm, tools: [], responseFormat: { schema: answerSchema, prompt: "Answer as JSON." } });
    await assert.rejects(agent.invoke({ messages: [{ role: "user", content: "hi" }] }), (error: unknown) => {
      assert.ok(WeftError.isInstance(error) && error.code === "MODEL_CALL", String(error));
      assert.match(error.message, /schema refuses \(city: .*sunny: /);
      return true;
    });
    assert.deepEqual(llm.calls[1]!.map((message) => message.type), ["system", "human", "ai"]);
  });
});

describe("createReactAgent refuses LangGraph.js options it does not take, naming Weft's way", () => {
  const llm = new FakeChatModel({ responses: ["x"] });
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ stateModifier: () => [] }, /no option "stateModifier"; use `prompt`/],
    [{ messageModifier: "Be brief." }, /no option "messageModifier"; use `prompt`/],
    [{ checkpointSaver: {} }, /no option "checkpointSaver"; use `checkpointer`/],
    [{ version: "v2" }, /no option "version"; the "v2" agent .* is not built/],
    [{ promt: "typo" }, /no option "promt"; it takes llm, tools, prompt, stateSchema, responseFormat, preModelHook, postModelHook/],
    [{ stateSchema: { userName: lastValue<string>() } }, /`stateSchema` must have a `messages` key/],
    [{ preModelHook: 42 }, /`preModelHook` must be a node/],
  ];
  for (const [extra, message] of cases) {
    it(Object.keys(extra)[0]!, () => {
      assert.throws(() => createReactAgent({ llm, tools: [], ...extra } as never), (error: unknown) => {
        assert.ok(WeftError.isInstance(error) && error.code === "INVALID_OPTIONS", String(error));
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
