// Messages a node returns without streaming them (hand-made AIMessages, Weft's or LangChain's, and the
// answer of a `nostream` model call) reach messages mode once each, with their node, as in LangGraph.js:
// the same id returned again (by a later node, or twice in one return) is not streamed again, and the
// id a message streams with is the id the state keeps.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AIMessage as LangChainAIMessage } from "@langchain/core/messages";
import { MessagesAnnotation, START as LANGGRAPH_START, StateGraph as LangGraphStateGraph } from "@langchain/langgraph";
import { AIMessage, MessagesState, START, StateGraph } from "weft";
import { FakeChatModel } from "weft/testing";
import { ScriptedLangChainModel } from "./support/scripted-langchain-model.js";

type MakeAI = (content: string, id?: string) => unknown;
const weftAI: MakeAI = (content, id) => new AIMessage(content, { id });
const langChainAI: MakeAI = (content, id) => new LangChainAIMessage({ content, id });

/** The three nodes, written once for any message class and any model that takes `tags`. */
function nodes(makeAI: MakeAI, quietModel: { invoke(input: any, config?: any): Promise<unknown> }) {
  return {
    write: () => ({ messages: [makeAI("hand-made"), makeAI("fixed", "m-fixed")] }),
    again: () => ({ messages: [makeAI("fixed, edited", "m-fixed"), makeAI("dup", "m-dup"), makeAI("dup", "m-dup")] }),
    quiet: async (state: { messages: unknown[] }, config: unknown) => ({ messages: [await quietModel.invoke(state.messages, config)] }),
  };
}

async function observe(stream: AsyncIterable<[string, any]>) {
  const streamed: Array<{ type: string; content: unknown; node: string; id: string }> = [];
  let values: any;
  for await (const [mode, chunk] of stream) {
    if (mode === "values") values = chunk;
    else {
      const [message, metadata] = chunk;
      streamed.push({ type: message.type, content: message.content, node: metadata.langgraph_node, id: message.id });
    }
  }
  const stateIds = values.messages.map((message: any) => message.id);
  // Every streamed id is the id of a message in the final state.
  for (const { id } of streamed) assert.ok(stateIds.includes(id), `streamed id ${id} is in the state`);
  return { streamed: streamed.map(({ id: _id, ...rest }) => rest), contents: values.messages.map((message: any) => message.content) };
}

describe("returned but not streamed messages, Weft beside LangGraph.js", () => {
  it("each streams once, whole, with its node; a repeated id does not; stream and state share ids", async () => {
    const input = { messages: [{ role: "user" as const, content: "hi" }] };
    const langGraphNodes = nodes(langChainAI, new ScriptedLangChainModel([{ content: "quiet answer" }]).withConfig({ tags: ["nostream"] }));
    const langGraph = new LangGraphStateGraph(MessagesAnnotation)
      .addNode("write", langGraphNodes.write as never)
      .addNode("again", langGraphNodes.again as never)
      .addNode("quiet", langGraphNodes.quiet as never)
      .addEdge(LANGGRAPH_START, "write")
      .addEdge("write", "again")
      .addEdge("again", "quiet")
      .compile();
    const expected = await observe((await langGraph.stream(input as never, { streamMode: ["messages", "values"] })) as never);
    assert.deepEqual(expected.streamed, [
      { type: "ai", content: "hand-made", node: "write" },
      { type: "ai", content: "fixed", node: "write" },
      { type: "ai", content: "dup", node: "again" },
      { type: "ai", content: "quiet answer", node: "quiet" },
    ]);
    assert.deepEqual(expected.contents, ["hi", "hand-made", "fixed, edited", "dup", "quiet answer"]);

    const variants = {
      "Weft's AIMessage and a nostream Weft model": nodes(weftAI, new FakeChatModel({ responses: ["quiet answer"], tags: ["nostream"] })),
      "LangChain's AIMessage and a nostream LangChain model": nodes(langChainAI, new ScriptedLangChainModel([{ content: "quiet answer" }]).withConfig({ tags: ["nostream"] })),
    };
    for (const [name, weftNodes] of Object.entries(variants)) {
      const weft = new StateGraph(MessagesState)
        .addNode("write", weftNodes.write as never)
        .addNode("again", weftNodes.again as never)
        .addNode("quiet", weftNodes.quiet as never)
        .addEdge(START, "write")
        .addEdge("write", "again")
        .addEdge("again", "quiet")
        .compile();
      assert.deepEqual(await observe(weft.stream(input, { streamMode: ["messages", "values"] }) as never), expected, name);
    }
  });
});
