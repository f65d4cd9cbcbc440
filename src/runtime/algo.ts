// The pure core of the superstep engine: make channels, read state, apply a step's writes,
// and decide which tasks run next. No I/O, no timers, no streams: the loop does those around it.
import type { Channel } from "../core/channel.js";
import { lastValue } from "../channels/last-value.js";
import { WeftError, describeValue } from "../errors.js";
import { END } from "../core/constants.js";
import { type GraphSpec, joinName } from "../core/graph-spec.js";
import { type Send, isSend } from "../core/send.js";
import type { FinishedTask, JoinState, PreparedTask, Write } from "../core/task.js";

export type Channels = Map<string, Channel<unknown, unknown>>;
export type { FinishedTask, JoinState, PreparedTask, Write };

export function createChannels(spec: GraphSpec): Channels {
  const channels: Channels = new Map();
  if (spec.schema) for (const [key, channelSpec] of Object.entries(spec.schema)) channels.set(key, channelSpec.create(key));
  return channels;
}

/** The state as a plain object (one per step, shared by that step's tasks). */
export function readState(channels: Channels): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const [key, channel] of channels) if (channel.isAvailable()) state[key] = channel.get();
  return state;
}

/**
 * Check an update (a node's return value or the run input) against the graph's keys and turn it
 * into writes. `source` names the node (or "input") in error messages.
 */
export function updateToWrites(spec: GraphSpec, source: string, update: unknown): Write[] {
  if (update === undefined || update === null) return [];
  if (typeof update !== "object" || Array.isArray(update) || isSend(update) || isBuiltInValue(update)) {
    const what = source === "input" ? "The run input is" : `Node "${source}" returned`;
    throw new WeftError(
      source === "input" ? "INVALID_INPUT" : "INVALID_NODE_RETURN",
      `${what} ${describeValue(update)}; ${source === "input" ? "the input must be an object of state values" : "a node must return an object of state updates (or undefined)"}.`,
      { details: { node: source } },
    );
  }
  const writes: Write[] = [];
  for (const key in update) {
    if (!Object.prototype.hasOwnProperty.call(update, key)) continue;
    checkKey(spec, source, key);
    writes.push([key, (update as Record<string, unknown>)[key]]);
  }
  return writes;
}

/**
 * A Command's update as writes: an object of state updates, or LangGraph's list of `[key, value]`
 * pairs, in which a key may come more than once (each pair is one write, reduced in order).
 */
export function commandUpdateToWrites(spec: GraphSpec, source: string, update: unknown): Write[] {
  if (!Array.isArray(update)) return updateToWrites(spec, source, update);
  return update.map((pair: unknown, index): Write => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
      const what = source === "input" ? "The run input's Command" : `Node "${source}" returned a Command whose`;
      throw new WeftError(
        source === "input" ? "INVALID_INPUT" : "INVALID_NODE_RETURN",
        `${what} update entry ${index} is ${describeValue(pair)}; a Command's update is an object of state updates or a list of [key, value] pairs.`,
        { details: { node: source } },
      );
    }
    checkKey(spec, source, pair[0]);
    return [pair[0], pair[1]];
  });
}

function checkKey(spec: GraphSpec, source: string, key: string): void {
  if (key === "__proto__") {
    // A plain object cannot hold this key as data: writing it would replace the state's prototype.
    throw new WeftError(
      "INVALID_UPDATE",
      `${source === "input" ? "The run input" : `Node "${source}"`} wrote the key "__proto__", which cannot be a state key; rename it.`,
      { details: { node: source, key } },
    );
  }
  // Own keys only: "constructor" or "toString" are not state keys just because every object inherits them.
  if (spec.schema && !Object.prototype.hasOwnProperty.call(spec.schema, key)) {
    const known = Object.keys(spec.schema).map((name) => `"${name}"`).join(", ");
    throw new WeftError(
      "INVALID_UPDATE",
      `${source === "input" ? "The run input" : `Node "${source}"`} wrote unknown state key "${key}"; the state has ${known}.`,
      { details: { node: source, key } },
    );
  }
}

/** Apply one step's writes (already in deterministic task order). Returns the keys that changed. */
export function applyWrites(channels: Channels, writes: readonly Write[]): string[] {
  if (writes.length === 0) return [];
  const grouped = new Map<string, unknown[]>();
  for (const [key, value] of writes) {
    const values = grouped.get(key);
    if (values) values.push(value);
    else grouped.set(key, [value]);
  }
  const changed: string[] = [];
  for (const [key, values] of grouped) {
    let channel = channels.get(key);
    if (channel === undefined) {
      channel = lastValue<unknown>().create(key);
      channels.set(key, channel);
    }
    if (channel.update(values)) changed.push(key);
  }
  return changed;
}


/**
 * Given the tasks that finished in a step (in write order, see {@link sortForWrites}), the tasks of
 * the next step, in LangGraph's order: Sends first, in the order they were made, then one task per
 * node triggered by edges, by node name. Updates `joins` in place.
 */
export function prepareNextTasks(
  spec: GraphSpec,
  finished: readonly FinishedTask[],
  joins: JoinState,
  makeId: (node: string, index: number) => string,
): PreparedTask[] {
  const pushes: PreparedTask[] = [];
  const pulled = new Map<string, string[]>();
  const pull = (node: string, trigger: string) => {
    const triggers = pulled.get(node);
    if (triggers === undefined) pulled.set(node, [trigger]);
    else if (!triggers.includes(trigger)) triggers.push(trigger);
  };
  for (const task of finished) {
    for (const route of task.routes) {
      if (typeof route === "string") {
        if (route !== END) pull(route, `branch:to:${route}`);
      } else {
        const index = pushes.length;
        pushes.push({
          id: makeId(route.node, index),
          node: route.node,
          kind: "push",
          arg: route.arg,
          triggers: PUSH_TRIGGERS,
          path: ["__pregel_push", index, false],
        });
      }
    }
    for (const edge of spec.waitingEdges) {
      if (!edge.sources.includes(task.node)) continue;
      // Keyed by the join's name, so a checkpoint's progress still fits when edges are added in another order.
      const key = joinName(edge.sources, edge.target);
      const seen = (joins[key] ??= []);
      if (!seen.includes(task.node)) seen.push(task.node);
      if (edge.sources.every((source) => seen.includes(source))) {
        delete joins[key];
        pull(edge.target, key);
      }
    }
  }
  if (pulled.size === 0) return pushes;
  const names = [...pulled.keys()];
  if (names.length > 1) names.sort(compareCodePoints);
  for (const node of names) {
    pushes.push({ id: makeId(node, pushes.length), node, kind: "pull", triggers: pulled.get(node)!, path: ["__pregel_pull", node] });
  }
  return pushes;
}

const PUSH_TRIGGERS: readonly string[] = Object.freeze(["__pregel_push"]);

/**
 * A step's results in the order their writes apply, as LangGraph orders them: by task path, so tasks
 * triggered by edges come first (by node name), then Send tasks (in the order they were sent).
 */
export function sortForWrites<Result extends { readonly task: PreparedTask }>(results: Result[]): Result[] {
  if (results.length < 2) return results;
  return results.sort((a, b) => compareTaskPaths(a.task.path, b.task.path));
}

function compareTaskPaths(a: PreparedTask["path"], b: PreparedTask["path"]): number {
  // "__pregel_pull" sorts before "__pregel_push"; pull tasks then by node name, push tasks by index.
  if (a[0] !== b[0]) return a[0] === "__pregel_pull" ? -1 : 1;
  if (a[0] === "__pregel_pull") return compareCodePoints(String(a[1]), String(b[1]));
  return Number(a[1]) - Number(b[1]);
}

/** Strings in Unicode code point order (LangGraph's order), not UTF-16 code unit order. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Static routes out of a node (or START): its plain edges. */
export function staticRoutes(spec: GraphSpec, node: string): readonly string[] {
  return spec.edges.get(node) ?? [];
}

/**
 * Built-in objects (a Map, a Date, a boxed number, a typed array, ...) keep their data outside own
 * enumerable keys: taken as an update they would silently write nothing, or write index keys.
 */
function isBuiltInValue(value: object): boolean {
  return Object.prototype.toString.call(value) !== "[object Object]";
}

/** Check what a router returned and turn it into routes. */
export function routerResultToRoutes(spec: GraphSpec, from: string, result: unknown, pathMap?: Readonly<Record<string, string>>): Array<string | Send> {
  const items = Array.isArray(result) ? result : [result];
  const routes: Array<string | Send> = [];
  for (const item of items) {
    if (isSend(item)) {
      if (!spec.nodes.has(item.node)) {
        throw new WeftError("INVALID_GRAPH", `The router after "${from}" sent to unknown node "${item.node}".`, {
          details: { node: from },
        });
      }
      routes.push(item);
      continue;
    }
    if (typeof item !== "string" && typeof item !== "boolean" && typeof item !== "number") {
      throw new WeftError(
        "INVALID_GRAPH",
        `The router after "${from}" returned ${describeValue(item)}; a router returns a node name, END, an array of them, or Send objects.`,
        { details: { node: from } },
      );
    }
    const key = String(item);
    const target = pathMap ? (Object.prototype.hasOwnProperty.call(pathMap, key) ? pathMap[key] : undefined) : key;
    if (target === undefined) {
      throw new WeftError(
        "INVALID_GRAPH",
        `The router after "${from}" returned "${key}", which its path map does not list (${Object.keys(pathMap!).join(", ")}).`,
        { details: { node: from } },
      );
    }
    if (target !== END && !spec.nodes.has(target)) {
      throw new WeftError("INVALID_GRAPH", `The router after "${from}" returned unknown node "${target}".`, { details: { node: from } });
    }
    routes.push(target);
  }
  return routes;
}

