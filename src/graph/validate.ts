// Compile-time checks: a graph that cannot run correctly fails here, with the problem named.
import { WeftError } from "../errors.js";
import { END, START } from "../core/constants.js";
import type { GraphSpec } from "../core/graph-spec.js";

function invalid(message: string): WeftError {
  return new WeftError("INVALID_GRAPH", message);
}

export function validateGraph(spec: GraphSpec): void {
  const known = (name: string) => spec.nodes.has(name);
  const hasStart = (spec.edges.get(START)?.length ?? 0) > 0 || spec.branches.has(START);
  if (!hasStart) {
    const first = [...spec.nodes.keys()][0];
    throw invalid(
      `The graph has no edge from START, so nothing would run. Add one, e.g. .addEdge(START, ${JSON.stringify(first ?? "myNode")}).`,
    );
  }
  for (const [from, targets] of spec.edges) {
    if (from !== START && !known(from)) throw invalid(`An edge starts at unknown node "${from}". Add the node first, or fix the name.`);
    for (const to of targets) {
      if (to === START) throw invalid(`An edge from "${from}" leads to START; START can only be the source of an edge.`);
      if (to !== END && !known(to)) throw invalid(`An edge from "${from}" leads to unknown node "${to}".`);
    }
  }
  for (const edge of spec.waitingEdges) {
    for (const source of edge.sources) {
      if (source === START || source === END) throw invalid(`A waiting edge (addEdge([...], "${edge.target}")) cannot start at ${source}.`);
      if (!known(source)) throw invalid(`A waiting edge to "${edge.target}" starts at unknown node "${source}".`);
    }
    if (edge.target !== END && !known(edge.target)) throw invalid(`A waiting edge leads to unknown node "${edge.target}".`);
  }
  for (const [from, branches] of spec.branches) {
    if (from !== START && !known(from)) throw invalid(`Conditional edges start at unknown node "${from}".`);
    for (const branch of branches) {
      for (const target of Object.values(branch.pathMap ?? {})) {
        if (target !== END && !known(target)) throw invalid(`The path map of the conditional edges from "${from}" names unknown node "${target}".`);
      }
    }
  }
  for (const node of spec.nodes.values()) {
    for (const end of node.ends ?? []) {
      if (end !== END && !known(end)) throw invalid(`\`ends\` of node "${node.name}" names unknown node "${end}".`);
    }
  }
  checkEveryNodeCanFinish(spec);
}

/**
 * A node "has no way out" when every path from it loops forever through plain edges: it can reach
 * neither END, nor a node without outgoing edges (which ends its path), nor a conditional edge.
 */
function checkEveryNodeCanFinish(spec: GraphSpec): void {
  const successors = new Map<string, string[]>();
  for (const name of spec.nodes.keys()) successors.set(name, [...(spec.edges.get(name) ?? [])]);
  for (const edge of spec.waitingEdges) for (const source of edge.sources) successors.get(source)!.push(edge.target);
  const canFinish = new Set<string>();
  // A node with conditional edges or declared Command `ends` can route anywhere, END included.
  for (const [name, next] of successors) {
    if (next.length === 0 || next.includes(END) || spec.branches.has(name) || spec.nodes.get(name)!.ends !== undefined) canFinish.add(name);
  }
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, next] of successors) {
      if (!canFinish.has(name) && next.some((target) => canFinish.has(target))) {
        canFinish.add(name);
        grew = true;
      }
    }
  }
  const stuck = [...spec.nodes.keys()].filter((name) => !canFinish.has(name));
  if (stuck.length > 0) {
    throw invalid(
      `Node "${stuck[0]}" has no way out: its edges loop forever (${stuck.join(" -> ")} ...) with no path to END. ` +
        `Add a conditional edge that can return END, or an edge to END.`,
    );
  }
}
