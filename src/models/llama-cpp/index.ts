// `weft/llama-cpp`: GGUF models in this process through node-llama-cpp (an optional peer dependency).
export { ChatLlamaCpp, type ChatLlamaCppOptions } from "./chat-llama-cpp.js";
