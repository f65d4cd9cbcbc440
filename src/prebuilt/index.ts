// Ready-made agent pieces: `weft/prebuilt`. Built only from Weft's public API.
export { ToolNode, type ToolLike, type ToolNodeInput, type ToolNodeOptions, type ToolNodeOutput } from "./tool-node.js";
export { toolsCondition } from "./tools-condition.js";
export {
  createReactAgent,
  type AgentHook,
  type AgentPrompt,
  type AgentState,
  type CreateReactAgentOptions,
  type LangChainChatModelLike,
  type ResponseFormat,
} from "./react-agent.js";
