// toolsCondition: the router after a model node: to "tools" when the model asked for tools, else END.
import { END, type MessageLike, toMessage } from "../index.js";

/**
 * Route to "tools" when the last message is an AI message with tool calls, else to END.
 *
 * @example
 * graph.addConditionalEdges("agent", toolsCondition, ["tools", END]);
 */
export function toolsCondition(state: { readonly messages: readonly MessageLike[] } | readonly MessageLike[]): "tools" | typeof END {
  const messages = Array.isArray(state) ? state : (state as { messages?: readonly MessageLike[] }).messages;
  const last = Array.isArray(messages) && messages.length > 0 ? toMessage(messages[messages.length - 1], "The last message") : undefined;
  return last !== undefined && "role" in last && last.role === "assistant" && last.toolCalls.length > 0 ? "tools" : END;
}
