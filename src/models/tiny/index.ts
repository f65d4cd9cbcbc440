// `weft/models/tiny`: the built-in offline demo model (a word-level n-gram model over a small corpus).
export { TinyChatModel, type TinyChatModelOptions } from "./tiny-chat-model.js";
