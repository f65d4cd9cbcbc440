// `weft/ai-sdk`: any AI SDK language model (LanguageModelV2, V3, V4) as a Weft chat model.
export { AISDKChatModel, fromAISDK, type FromAISDKOptions } from "./from-ai-sdk.js";
export type { AISDKLanguageModel } from "./ai-sdk-types.js";
