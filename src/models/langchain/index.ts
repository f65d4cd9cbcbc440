// `weft/langchain`: a LangChain.js chat model as a Weft chat model. Inside a node, a LangChain model
// called with the node's config streams without it; `fromLangChain` is for calls that pass no config.
export { LangChainChatModel, fromLangChain, type FromLangChainOptions, type LangChainChatModelLike } from "./from-langchain.js";
export type { LangChainCallbackHandler } from "../../stream/langchain-callbacks.js";
