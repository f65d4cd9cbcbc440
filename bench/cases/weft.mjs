// The bench cases for Weft, imported from the built package (dist/) as users run it.
import { BaseChatModel, END, START, StateGraph } from "weft";
import { TokenSource, check, makeTokens, measure, measureCountingInvoke, runChild, sleep } from "../lib/harness.mjs";

/** A provider that streams a scripted token list with no sleeps and marks its first yield. */
class BenchChatModel extends BaseChatModel {
  provider = "bench";
  modelName = "bench-model";

  constructor(source, fields) {
    super(fields);
    this.source = source;
  }

  async *streamParts() {
    const source = this.source;
    for (const token of source.tokens) {
      if (source.produced++ === 0) source.firstYieldAt = performance.now();
      yield token;
    }
  }
}

function oneModelGraph(model, implicitConfig = false, compileOptions = {}) {
  return new StateGraph()
    .addNode("callModel", async (state, config) => {
      const messages = [{ role: "user", content: `Write a story about ${state.topic}` }];
      const answer = implicitConfig ? await model.invoke(messages) : await model.invoke(messages, config);
      return { text: answer.content };
    })
    .addEdge(START, "callModel")
    .compile(compileOptions);
}

function chainGraph(length) {
  const builder = new StateGraph();
  for (let index = 0; index < length; index++) builder.addNode(`node${index}`, (state) => ({ count: state.count + 1 }));
  builder.addEdge(START, "node0");
  for (let index = 1; index < length; index++) builder.addEdge(`node${index - 1}`, `node${index}`);
  return builder.compile();
}

/** Case b (and h): one node, one model call, every token consumed in messages mode. */
async function streamOneModel(size, options, { implicitConfig = false, slowConsumerMs = 0, curve = false, compileOptions } = {}) {
  const source = new TokenSource(makeTokens(size.tokens));
  const expectedChars = source.tokens.join("").length;
  const graph = oneModelGraph(new BenchChatModel(source), implicitConfig, compileOptions);
  return measure(
    async (probe) => {
      source.reset();
      let delivered = 0;
      let chars = 0;
      let firstAt = 0;
      for await (const [chunk] of graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
        if (delivered++ === 0) firstAt = performance.now();
        chars += chunk.content.length;
        probe.tick();
        if (slowConsumerMs > 0) await sleep(slowConsumerMs);
      }
      check(chars === expectedChars, `weft delivered ${chars} of ${expectedChars} characters`);
      return { units: size.tokens, produced: source.produced, delivered, firstTokenMs: firstAt - source.firstYieldAt };
    },
    { warmups: slowConsumerMs > 0 ? 0 : options.warmups, measureMs: slowConsumerMs > 0 ? 0 : undefined, curve },
  );
}

const cases = {
  b: (size, options) => streamOneModel(size, options),
  "b-implicit": (size, options) => streamOneModel(size, options, { implicitConfig: true }),
  "b-explicit": (size, options) => streamOneModel(size, options, { compileOptions: { implicitConfig: false } }),
  h: (size, options) => streamOneModel(size, options, { slowConsumerMs: size.waitMs, curve: true }),

  /** Case c: the seed's joke+poem node; the consumer keeps the joke. */
  async c(size, options) {
    const jokeSource = new TokenSource(makeTokens(size.tokens, "j"));
    const poemSource = new TokenSource(makeTokens(size.tokens, "p"));
    const jokeModel = new BenchChatModel(jokeSource, { tags: ["joke"] });
    const poemModel = new BenchChatModel(poemSource, { tags: ["poem"] });
    const expectedJoke = jokeSource.tokens.join("");
    const graph = new StateGraph()
      .addNode("callModel", async (state, config) => {
        const joke = await jokeModel.invoke([{ role: "user", content: `Write a joke about ${state.topic}` }], config);
        const poem = await poemModel.invoke([{ role: "user", content: `Write a short poem about ${state.topic}` }], config);
        return { joke: joke.content, poem: poem.content };
      })
      .addEdge(START, "callModel")
      .compile();
    return measure(
      async (probe) => {
        jokeSource.reset();
        poemSource.reset();
        let delivered = 0;
        const joke = [];
        let firstAt = 0;
        for await (const [chunk, metadata] of graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
          if (delivered++ === 0) firstAt = performance.now();
          if (metadata.tags.includes("joke")) joke.push(chunk.content);
          probe.tick();
        }
        const kept = joke.join("");
        check(kept === expectedJoke, `weft kept ${kept.length} of ${expectedJoke.length} joke characters`);
        return {
          units: size.tokens * 2,
          produced: jokeSource.produced + poemSource.produced,
          delivered,
          firstTokenMs: firstAt - jokeSource.firstYieldAt,
        };
      },
      { warmups: options.warmups },
    );
  },

  /** Case d: custom mode, a node calling the writer in a synchronous loop. */
  d: (size, options) => streamCustom(size, options, false),
  /** Case d-async: custom mode, writer calls relayed from an async source. */
  "d-async": (size, options) => streamCustom(size, options, true),

  /** Case e: invoke on a chain of trivial nodes (cost per step). */
  async e(size, options) {
    const graph = chainGraph(size.nodes);
    return measureCountingInvoke(graph, size.nodes, "weft chain", options);
  },

  /** Case e2: a two-node loop run for `steps` supersteps. */
  async e2(size, options) {
    const increment = (state) => ({ count: state.count + 1 });
    const graph = new StateGraph()
      .addNode("ping", increment)
      .addNode("pong", increment)
      .addEdge(START, "ping")
      .addEdge("ping", "pong")
      .addConditionalEdges("pong", (state) => (state.count < size.steps ? "ping" : END))
      .compile();
    return measureCountingInvoke(graph, size.steps, "weft loop", options);
  },

  /** Case f: fan-out, parallel nodes each streaming one model call. */
  async f(size, options) {
    const sources = [];
    const builder = new StateGraph();
    for (let index = 0; index < size.nodes; index++) {
      const source = new TokenSource(makeTokens(size.tokens, `n${index}-`));
      const model = new BenchChatModel(source);
      sources.push(source);
      builder.addNode(`worker${index}`, async (state, config) => {
        const answer = await model.invoke([{ role: "user", content: `Part ${index} about ${state.topic}` }], config);
        return { [`part${index}`]: answer.content };
      });
      builder.addEdge(START, `worker${index}`);
    }
    const graph = builder.compile();
    return measure(
      async (probe) => {
        for (const source of sources) source.reset();
        let delivered = 0;
        let firstAt = 0;
        for await (const [chunk] of graph.stream({ topic: "cats" }, { streamMode: "messages" })) {
          if (delivered++ === 0) firstAt = performance.now();
          probe.tick();
          void chunk;
        }
        const produced = sources.reduce((sum, source) => sum + source.produced, 0);
        const firstYield = Math.min(...sources.map((source) => source.firstYieldAt));
        return { units: size.nodes * size.tokens, produced, delivered, firstTokenMs: firstAt - firstYield };
      },
      { warmups: options.warmups },
    );
  },

  /** Case g: values and updates streaming on the chain (cost per step). */
  async g(size, options) {
    const graph = chainGraph(size.nodes);
    return measure(
      async (probe) => {
        let delivered = 0;
        let last;
        for await (const [mode, chunk] of graph.stream({ count: 0 }, { streamMode: ["values", "updates"], recursionLimit: size.nodes + 10 })) {
          delivered++;
          if (mode === "values") last = chunk;
          probe.tick();
        }
        check(last.count === size.nodes && delivered === size.nodes * 2 + 1, `weft values/updates delivered ${delivered}`);
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
  const graph = new StateGraph()
    .addNode("writeTokens", async (state, config) => {
      firstWriteAt = performance.now();
      if (fromAsyncSource) {
        for await (const token of provider()) config.writer(token);
      } else {
        for (const token of tokens) config.writer(token);
      }
      return { done: true };
    })
    .addEdge(START, "writeTokens")
    .compile();
  return measure(
    async (probe) => {
      let delivered = 0;
      let firstAt = 0;
      for await (const chunk of graph.stream({ done: false }, { streamMode: "custom" })) {
        if (delivered++ === 0) firstAt = performance.now();
        probe.tick();
        void chunk;
      }
      check(delivered === tokens.length, `weft custom delivered ${delivered}`);
      return { units: tokens.length, produced: tokens.length, delivered, firstTokenMs: firstAt - firstWriteAt };
    },
    { warmups: options.warmups },
  );
}

await runChild(cases, process.argv);
