// Running one scenario with LangGraph.js and with Weft and comparing the results (ids aside).
import assert from "node:assert/strict";
import * as lg from "@langchain/langgraph";
import { Command, GraphRecursionError, MemorySaver, Send, StateGraph, interrupt, lastValue, reducer } from "weft";

const append = (left: string[], right: string[]) => left.concat(right);

export type Kit = ReturnType<typeof kit>;

/** One library's classes, so a scenario builds the same graph with either. */
export function kit(library: "lang" | "weft") {
  const lang = library === "lang";
  return {
    graph: (): any =>
      lang
        ? new lg.StateGraph(lg.Annotation.Root({ log: lg.Annotation<string[]>({ reducer: append, default: () => [] }), x: lg.Annotation<string> }))
        : new StateGraph({ log: reducer(append, [] as string[]), x: lastValue<string>() }),
    saver: (): any => (lang ? new lg.MemorySaver() : new MemorySaver()),
    Command: (lang ? lg.Command : Command) as any,
    Send: (lang ? lg.Send : Send) as any,
    interrupt: (lang ? lg.interrupt : interrupt) as (value: unknown) => any,
    GraphRecursionError: (lang ? lg.GraphRecursionError : GraphRecursionError) as any,
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Ids (task, checkpoint, interrupt) are derived differently in the two libraries: compare them as "<id>". */
export function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.replace(UUID, "<id>").replace(/^[0-9a-f]{32}$/, "<id>");
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalize(item)]));
}

/** Run `scenario` with LangGraph.js and with Weft, assert the same result, and return it. */
export async function compare(scenario: (k: Kit) => Promise<unknown>): Promise<unknown> {
  const expected = normalize(await scenario(kit("lang")));
  assert.deepEqual(normalize(await scenario(kit("weft"))), expected);
  return expected;
}

export async function chunks(stream: unknown): Promise<any[]> {
  const items: any[] = [];
  for await (const item of (await stream) as AsyncIterable<unknown>) items.push(item);
  return items;
}
