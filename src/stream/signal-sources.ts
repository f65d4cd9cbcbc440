// On Node 20, `AbortSignal.any()` holds the signals it follows only weakly. A signal such as
// `AbortSignal.any([controller.signal, AbortSignal.timeout(30_000)])`, whose timeout signal nothing
// else refers to, loses that timeout at the next garbage collection, its timer with it, and never
// times out (Node 22 keeps the sources of a signal someone listens to). LangChain's `timeout` call
// option makes exactly such a signal. Weft holds the sources of each signal it follows (a run's
// `signal`, a provider request's, a LangChain model call's) for as long as it follows it.

/** The symbol Node gives a composite signal's set of weak references to the signals it follows. */
let sourcesKey: symbol | undefined;

/**
 * The signals `signal` follows if it was made by `AbortSignal.any()` (empty otherwise, or where the
 * runtime keeps them in another way). Holding them keeps them, and their timers, alive.
 */
export function sourceSignalsOf(signal: unknown): AbortSignal[] {
  if (typeof AbortSignal === "undefined" || !(signal instanceof AbortSignal) || signal.aborted) return [];
  const key = sourcesKeyOf(signal);
  if (key === undefined) return [];
  // Node's own Set and WeakRef subclasses, which `instanceof` does not recognize: duck-typed.
  const sources = (signal as unknown as Record<symbol, unknown>)[key] as Iterable<{ deref?: () => unknown }> | undefined;
  if (typeof sources?.[Symbol.iterator] !== "function") return [];
  const held: AbortSignal[] = [];
  for (const reference of sources) {
    const source = typeof reference?.deref === "function" ? reference.deref() : undefined;
    if (source instanceof AbortSignal) held.push(source);
  }
  return held;
}

// Learnt from the first composite signal seen (a plain signal has no such key).
function sourcesKeyOf(signal: AbortSignal): symbol | undefined {
  sourcesKey ??= Object.getOwnPropertySymbols(signal).find((symbol) => symbol.description === "kSourceSignals");
  return sourcesKey;
}
