/**
 * Returned by a conditional edge's router to run `node` with `arg` as its input instead of the state:
 * one task per Send, all in the next superstep (map-reduce fan-out).
 *
 * @example
 * graph.addConditionalEdges("plan", (state) => state.topics.map((topic) => new Send("write", { topic })));
 */
export class Send<Arg = unknown> {
  readonly lg_name = "Send";
  constructor(
    readonly node: string,
    readonly arg: Arg,
  ) {}

  toJSON(): { node: string; arg: Arg } {
    return { node: this.node, arg: this.arg };
  }
}

export function isSend(value: unknown): value is Send {
  return value instanceof Send || (typeof value === "object" && value !== null && (value as Send).lg_name === "Send");
}
