// The compiled, validated shape of a graph that the runtime executes.
import type { StateSchema } from "./channel.js";

export type NodeFunction = (state: any, config: any) => unknown;

/** Anything that runs as a subgraph node: a compiled graph. */
export interface SubgraphRunner {
  runAsSubgraph(input: unknown, config: any): Promise<Record<string, unknown>>;
  /** The subgraph's own spec (for reading its checkpoints). */
  readonly graphSpec?: GraphSpec;
}

export interface NodeSpec {
  readonly name: string;
  readonly run: NodeFunction | SubgraphRunner;
  /** Position in definition order: ties in task order are broken by it. */
  readonly order: number;
  /** The nodes a Command returned by this node may go to (`addNode(name, node, { ends })`). */
  readonly ends?: readonly string[];
}

export type Router = (state: any, config: any) => unknown;

export interface BranchSpec {
  readonly router: Router;
  /** Maps router results to node names; an array means "these names, as themselves". */
  readonly pathMap?: Readonly<Record<string, string>>;
}

export interface WaitingEdge {
  readonly sources: readonly string[];
  readonly target: string;
}

/** A waiting edge's name (`join:a+b:c`): its trigger, and the key its progress is saved under (stable when edges are added in another order). */
export function joinName(sources: readonly string[], target: string): string {
  return `join:${sources.join("+")}:${target}`;
}

export interface GraphSpec {
  readonly schema: StateSchema | undefined;
  readonly nodes: ReadonlyMap<string, NodeSpec>;
  readonly edges: ReadonlyMap<string, readonly string[]>;
  readonly waitingEdges: readonly WaitingEdge[];
  readonly branches: ReadonlyMap<string, readonly BranchSpec[]>;
}
