// Test helpers that users import too: `weft/testing`.
export { FakeChatModel, splitWords, type FakeChatModelOptions } from "./fake-chat-model.js";
