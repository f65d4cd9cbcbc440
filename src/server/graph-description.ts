// GET /assistants/{id}/graph and /schemas: a served graph's nodes, edges and state schema in the
// shapes of the LangGraph server (the SDK's AssistantGraph and GraphSchema types).
import { END, START } from "../core/constants.js";
import type { GraphSpec } from "../core/graph-spec.js";

interface GraphEdge {
  source: string;
  target: string;
  conditional: boolean;
}

/**
 * Nodes and edges, LangGraph's drawable-graph JSON. A conditional edge whose router has no path map
 * could go anywhere, so it is drawn to every node and END (as LangGraph.js draws it).
 */
export function describeGraph(spec: GraphSpec): { nodes: Array<Record<string, unknown>>; edges: GraphEdge[] } {
  const names = [...spec.nodes.keys()];
  const nodes = [
    { id: START, type: "schema", data: START },
    ...names.map((name) => ({ id: name, type: "runnable", data: { id: ["weft", "node", name], name }, metadata: {} })),
    { id: END, type: "schema", data: END },
  ];
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (source: string, target: string, conditional: boolean) => {
    const key = `${source}\u0000${target}\u0000${conditional}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ source, target, conditional });
  };
  for (const [source, targets] of spec.edges) for (const target of targets) add(source, target, false);
  for (const waiting of spec.waitingEdges) for (const source of waiting.sources) add(source, waiting.target, false);
  for (const [source, branches] of spec.branches) {
    for (const branch of branches) {
      const targets = branch.pathMap === undefined ? [...names, END] : Object.values(branch.pathMap);
      for (const target of targets) add(source, target, true);
    }
  }
  for (const [name, node] of spec.nodes) for (const target of node.ends ?? []) add(name, target, true);
  return { nodes, edges };
}

/** A message as the wire carries it (LangChain's serialized shape). */
const MESSAGE_SCHEMA = {
  type: "object",
  properties: {
    type: { type: "string", enum: ["human", "ai", "system", "tool", "AIMessageChunk"] },
    id: { type: "string" },
    content: { anyOf: [{ type: "string" }, { type: "array", items: { type: "object" } }] },
    tool_calls: { type: "array", items: { type: "object" } },
    tool_call_id: { type: "string" },
  },
  required: ["content"],
};

/**
 * JSON schemas of a graph's state. Approximate: Weft schemas name each key's channel, not its
 * value type, so a key is `{}` (any JSON) except `messages`, which is an array of messages.
 */
export function describeSchemas(graphId: string, spec: GraphSpec): Record<string, unknown> {
  const keys = spec.schema === undefined ? [] : Object.keys(spec.schema);
  const properties = Object.fromEntries(keys.map((key) => [key, key === "messages" ? { type: "array", items: MESSAGE_SCHEMA } : {}]));
  const state = { title: graphId, type: "object", properties, additionalProperties: spec.schema === undefined };
  return {
    graph_id: graphId,
    input_schema: state,
    output_schema: state,
    state_schema: state,
    config_schema: { title: "Configurable", type: "object", properties: { configurable: { type: "object" } } },
    context_schema: null,
  };
}
