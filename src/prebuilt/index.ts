// Ready-made agent pieces: `weft/prebuilt`. Built only from Weft's public API.
export { ToolNode, type ToolLike, type ToolNodeInput, type ToolNodeOptions } from "./tool-node.js";
export { toolsCondition } from "./tools-condition.js";
export { createReactAgent, type AgentState, type CreateReactAgentOptions } from "./react-agent.js";
