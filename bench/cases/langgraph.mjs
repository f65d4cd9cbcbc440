// The same bench cases for LangGraph.js (@langchain/langgraph + @langchain/core), written the way its
// docs do: Annotation state, a BaseChatModel whose _streamResponseChunks reports each token to the
// callback manager as real providers (ChatOpenAI) do, config passed to the model call.
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { TokenSource, check, makeTokens, measure, measureCountingInvoke, runChild, sleep } from "../lib/harness.mjs";

/** A chat model that streams a scripted token list with no sleeps and marks its first yield. */
class BenchChatModel extends BaseChatModel {
  constructor(source, fields = {}) {
    super(fields);
    this.source = source;
  }

  _llmType() {
    return "bench";
  }

  async _generate() {
    const text = this.source.tokens.join("");
    return { generations: [{ text, message: new AIMessage(text) }] };
  }

  async *_streamResponseChunks(_messages, _options, runManager) {
    const source = this.source;
    for (const token of source.tokens) {
      const chunk = new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) });
      if (source.produced++ === 0) source.firstYieldAt = performance.now();
      yield chunk;
      await runManager?.handleLLMNewToken(token, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}

const textState = Annotation.Root({ topic: Annotation(), text: Annotation() });
const countState = Annotation.Root({ count: Annotation() });

function chainGraph(length) {
  const builder = new StateGraph(countState);
  for (let index = 0; index < length; index++) builder.addNode(`node${index}`, (state) => ({ count: state.count + 1 }));
  builder.addEdge(START, "node0");
  for (let index = 1; index < length; index++) builder.addEdge(`node${index - 1}`, `node${index}`);
  builder.addEdge(`node${length - 1}`, END);
  return builder.compile();
}

async function streamOneModel(size, options, { slowConsumerMs = 0, curve = false } = {}) {
  const source = new TokenSource(makeTokens(size.tokens));
  const model = new BenchChatModel(source);
  const graph = new StateGraph(textState)
    .addNode("callModel", async (state, config) => {
      const answer = await model.invoke([new HumanMessage(`Write a story about ${state.topic}`)], config);
      return { text: answer.content };
    })
    .addEdge(START, "callModel")
    .addEdge("callModel", END)
    .compile();
  return measure(
    async (probe) => {
      source.reset();
      let delivered = 0;
      let firstAt = 0;
      for await (const [chunk] of await graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
        if (delivered++ === 0) firstAt = performance.now();
        probe.tick();
        void chunk;
        if (slowConsumerMs > 0) await sleep(slowConsumerMs);
      }
      return { units: size.tokens, produced: source.produced, delivered, firstTokenMs: delivered > 0 ? firstAt - source.firstYieldAt : null };
    },
    { warmups: slowConsumerMs > 0 ? 0 : options.warmups, measureMs: slowConsumerMs > 0 ? 0 : undefined, curve },
  );
}

const cases = {
  b: (size, options) => streamOneModel(size, options),
  h: (size, options) => streamOneModel(size, options, { slowConsumerMs: size.waitMs, curve: true }),

  async c(size, options) {
    const jokeSource = new TokenSource(makeTokens(size.tokens, "j"));
    const poemSource = new TokenSource(makeTokens(size.tokens, "p"));
    const jokeModel = new BenchChatModel(jokeSource, { tags: ["joke"] });
    const poemModel = new BenchChatModel(poemSource, { tags: ["poem"] });
    const state = Annotation.Root({ topic: Annotation(), joke: Annotation(), poem: Annotation() });
    const graph = new StateGraph(state)
      .addNode("callModel", async (input, config) => {
        const joke = await jokeModel.invoke([new HumanMessage(`Write a joke about ${input.topic}`)], config);
        const poem = await poemModel.invoke([new HumanMessage(`Write a short poem about ${input.topic}`)], config);
        return { joke: joke.content, poem: poem.content };
      })
      .addEdge(START, "callModel")
      .addEdge("callModel", END)
      .compile();
    return measure(
      async (probe) => {
        jokeSource.reset();
        poemSource.reset();
        let delivered = 0;
        const joke = [];
        let firstAt = 0;
        for await (const [chunk, metadata] of await graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
          if (delivered++ === 0) firstAt = performance.now();
          if (metadata.tags.includes("joke")) joke.push(chunk.content);
          probe.tick();
        }
        return {
          units: size.tokens * 2,
          produced: jokeSource.produced + poemSource.produced,
          delivered,
          keptJokeChars: joke.join("").length,
          firstTokenMs: delivered > 0 ? firstAt - jokeSource.firstYieldAt : null,
        };
      },
      { warmups: options.warmups },
    );
  },

  d: (size, options) => streamCustom(size, options, false),
  "d-async": (size, options) => streamCustom(size, options, true),

  async e(size, options) {
    const graph = chainGraph(size.nodes);
    return measureCountingInvoke(graph, size.nodes, "langgraph chain", options);
  },

  async e2(size, options) {
    const increment = (state) => ({ count: state.count + 1 });
    const graph = new StateGraph(countState)
      .addNode("ping", increment)
      .addNode("pong", increment)
      .addEdge(START, "ping")
      .addEdge("ping", "pong")
      .addConditionalEdges("pong", (state) => (state.count < size.steps ? "ping" : END))
      .compile();
    return measureCountingInvoke(graph, size.steps, "langgraph loop", options);
  },

  async f(size, options) {
    const sources = [];
    const fields = { topic: Annotation() };
    for (let index = 0; index < size.nodes; index++) fields[`part${index}`] = Annotation();
    const builder = new StateGraph(Annotation.Root(fields));
    for (let index = 0; index < size.nodes; index++) {
      const source = new TokenSource(makeTokens(size.tokens, `n${index}-`));
      const model = new BenchChatModel(source);
      sources.push(source);
      builder.addNode(`worker${index}`, async (state, config) => {
        const answer = await model.invoke([new HumanMessage(`Part ${index} about ${state.topic}`)], config);
        return { [`part${index}`]: answer.content };
      });
      builder.addEdge(START, `worker${index}`);
      builder.addEdge(`worker${index}`, END);
    }
    const graph = builder.compile();
    return measure(
      async (probe) => {
        for (const source of sources) source.reset();
        let delivered = 0;
        let firstAt = 0;
        for await (const [chunk] of await graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
          if (delivered++ === 0) firstAt = performance.now();
          probe.tick();
          void chunk;
        }
        const produced = sources.reduce((sum, source) => sum + source.produced, 0);
        const firstYield = Math.min(...sources.map((source) => source.firstYieldAt));
        return { units: size.nodes * size.tokens, produced, delivered, firstTokenMs: delivered > 0 ? firstAt - firstYield : null };
      },
      { warmups: options.warmups },
    );
  },

  async g(size, options) {
    const graph = chainGraph(size.nodes);
    return measure(
      async (probe) => {
        let delivered = 0;
        let last;
        for await (const [mode, chunk] of await graph.stream({ count: 0 }, { streamMode: ["values", "updates"], recursionLimit: size.nodes + 10 })) {
          delivered++;
          if (mode === "values") last = chunk;
          probe.tick();
        }
        check(last.count === size.nodes, `langgraph values ended at ${last.count}`);
        return { units: size.nodes, produced: size.nodes * 2 + 1, delivered };
      },
      { warmups: options.warmups },
    );
  },
};

async function streamCustom(size, options, fromAsyncSource) {
  const tokens = makeTokens(size.tokens);
  let firstWriteAt = 0;
  async function* provider() {
    for (const token of tokens) yield token;
  }
  const graph = new StateGraph(Annotation.Root({ done: Annotation() }))
    .addNode("writeTokens", async (_state, config) => {
      firstWriteAt = performance.now();
      if (fromAsyncSource) {
        for await (const token of provider()) config.writer(token);
      } else {
        for (const token of tokens) config.writer(token);
      }
      return { done: true };
    })
    .addEdge(START, "writeTokens")
    .addEdge("writeTokens", END)
    .compile();
  return measure(
    async (probe) => {
      let delivered = 0;
      let firstAt = 0;
      for await (const chunk of await graph.stream({ done: false }, { streamMode: "custom" })) {
        if (delivered++ === 0) firstAt = performance.now();
        probe.tick();
        void chunk;
      }
      return { units: tokens.length, produced: tokens.length, delivered, firstTokenMs: delivered > 0 ? firstAt - firstWriteAt : null };
    },
    { warmups: options.warmups },
  );
}

await runChild(cases, process.argv);
