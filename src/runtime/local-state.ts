// What a conditional edge's router sees: the step's state with only its own node's writes applied
// (as LangGraph does), so parallel siblings cannot change where a node routes.
import { lastValue } from "../channels/last-value.js";
import type { GraphSpec } from "../core/graph-spec.js";
import type { Channels, Write } from "./algo.js";

export function localState(
  spec: GraphSpec,
  channels: Channels,
  state: Readonly<Record<string, unknown>>,
  writes: readonly Write[],
): Record<string, unknown> {
  if (writes.length === 0) return state as Record<string, unknown>;
  const local: Record<string, unknown> = { ...state };
  const grouped = new Map<string, unknown[]>();
  for (const [key, value] of writes) {
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  for (const [key, values] of grouped) {
    const channel = (spec.schema?.[key] ?? lastValue()).create(key);
    const current = channels.get(key);
    if (current?.isAvailable()) channel.restore(current.checkpoint());
    channel.update(values);
    local[key] = channel.get();
  }
  return local;
}
