/** The virtual node a run starts from. */
export const START = "__start__";
/** The virtual node a path of the graph ends at. */
export const END = "__end__";

/** Names no node may take: the virtual nodes and the separators of checkpoint namespaces. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([START, END, "__interrupt__", "__input__", "__pregel_push", "__pregel_pull"]);
export const NAMESPACE_SEPARATOR = "|";
export const TASK_SEPARATOR = ":";
