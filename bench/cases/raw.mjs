// Case a, the floor every library is compared with: an async generator of short strings
// consumed by `for await`, nothing else.
import { TokenSource, makeTokens, measure, runChild } from "../lib/harness.mjs";

async function* generate(source) {
  for (const token of source.tokens) {
    if (source.produced++ === 0) source.firstYieldAt = performance.now();
    yield token;
  }
}

const cases = {
  async a(size, options) {
    const source = new TokenSource(makeTokens(size.tokens));
    return measure(
      async (probe) => {
        source.reset();
        let delivered = 0;
        let firstAt = 0;
        let chars = 0;
        for await (const token of generate(source)) {
          if (delivered++ === 0) firstAt = performance.now();
          chars += token.length;
          probe.tick();
        }
        return { units: size.tokens, produced: source.produced, delivered, firstTokenMs: firstAt - source.firstYieldAt, chars };
      },
      { warmups: options.warmups },
    );
  },
};

await runChild(cases, process.argv);
