// Where a node (or START) routes: its plain edges, a Command's goto, and its conditional edges.
// The one place routers are evaluated, for runs, for START and for updateState(asNode).
import type { GraphSpec } from "../core/graph-spec.js";
import type { Send } from "../core/send.js";
import type { FinishedTask } from "../core/task.js";
import { routerResultToRoutes, staticRoutes } from "./algo.js";
import type { NodeConfig } from "./config.js";
import { runWithConfig } from "./context.js";

/**
 * The routes out of `node` after it wrote: `state` is what its routers see (the step's state with
 * only this node's writes applied, see local-state.ts).
 */
export async function routesOf(
  spec: GraphSpec,
  node: string,
  state: Record<string, unknown>,
  config: NodeConfig,
  goto: ReadonlyArray<string | Send> = NO_GOTO,
): Promise<FinishedTask> {
  const routes: Array<string | Send> = [...staticRoutes(spec, node)];
  if (goto.length > 0) routes.push(...routerResultToRoutes(spec, node, goto));
  const branches = spec.branches.get(node);
  if (branches !== undefined) {
    for (const branch of branches) {
      const result = await runWithConfig(config, () => branch.router(state, config));
      routes.push(...routerResultToRoutes(spec, node, result, branch.pathMap));
    }
  }
  return { node, routes };
}

const NO_GOTO: ReadonlyArray<string | Send> = [];
