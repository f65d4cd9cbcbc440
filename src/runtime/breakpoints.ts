// Static breakpoints (compile({ interruptBefore, interruptAfter })): which tasks a thread stops before or after.

/** Static breakpoints: node names (or every node) to stop before or after. */
export interface Breakpoints {
  readonly before: ReadonlySet<string> | "*";
  readonly after: ReadonlySet<string> | "*";
}

export const NO_BREAKPOINTS: Breakpoints = { before: new Set(), after: new Set() };

export function hits(breakpoints: ReadonlySet<string> | "*", nodes: ReadonlyArray<{ node: string }>): boolean {
  if (breakpoints === "*") return nodes.length > 0;
  if (breakpoints.size === 0) return false;
  return nodes.some((task) => breakpoints.has(task.node));
}
