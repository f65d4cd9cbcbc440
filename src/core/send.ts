/**
 * Returned by a conditional edge's router to run `node` with `arg` as its input instead of the state:
 * one task per Send, all in the next superstep (map-reduce fan-out). Works with or without `new`.
 *
 * @example
 * graph.addConditionalEdges("plan", (state) => state.topics.map((topic) => new Send("write", { topic })));
 */
class SendObject<Arg = unknown> {
  readonly lg_name = "Send";
  constructor(
    readonly node: string,
    readonly arg: Arg,
  ) {}

  toJSON(): { node: string; arg: Arg } {
    return { node: this.node, arg: this.arg };
  }
}

export type Send<Arg = unknown> = SendObject<Arg>;

/** `new Send(node, arg)` as in LangGraph.js, or `Send(node, arg)` as in LangGraph Python. */
export const Send = new Proxy(SendObject, {
  apply: (target, _this, args: [string, unknown]) => new target(...args),
}) as typeof SendObject & (<Arg>(node: string, arg: Arg) => SendObject<Arg>);

export function isSend(value: unknown): value is Send {
  return value instanceof SendObject || (typeof value === "object" && value !== null && (value as Send).lg_name === "Send");
}
