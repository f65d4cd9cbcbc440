// The seed's `stream_tokens` for programs that use the openai SDK directly, without a Weft model
// class: yield `{ role, content }` per token, ready for `config.writer` in "custom" stream mode.
import type OpenAI from "openai";

/** One streamed token as the seed's "without LangChain" program passes it to the writer. */
export interface TokenChunk {
  role: string;
  content: string;
}

/**
 * Stream a chat completion's text tokens straight from the openai SDK.
 *
 * @example
 * async function callModel(state: State, config: NodeConfig) {
 *   for await (const token of streamOpenAITokens(client, "gpt-4o-mini", [{ role: "user", content: "Write a poem" }], config.signal)) {
 *     config.writer([token, { ...config.metadata, tags: ["poem"] }]);
 *   }
 * }
 */
export async function* streamOpenAITokens(
  client: OpenAI,
  model: string,
  messages: OpenAI.Chat.ChatCompletionMessageParam[],
  signal?: AbortSignal,
): AsyncGenerator<TokenChunk> {
  const stream = await client.chat.completions.create({ model, messages, stream: true }, { signal });
  let role = "assistant";
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    // The role comes once, in the first delta; every token after it belongs to the same role.
    if (delta?.role) role = delta.role;
    if (delta?.content) yield { role, content: delta.content };
  }
  // The SDK ends an aborted stream quietly; a caller that aborted must not mistake it for the whole answer.
  signal?.throwIfAborted();
}
