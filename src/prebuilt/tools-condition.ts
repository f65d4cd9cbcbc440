// toolsCondition: the router after a model node: to "tools" when the model asked for tools, else END.
import { END, type MessageLike, WeftError, toMessage } from "../index.js";

/**
 * Route to "tools" when the last message is an AI message with tool calls, else to END.
 *
 * @example
 * graph.addConditionalEdges("agent", toolsCondition, ["tools", END]);
 */
export function toolsCondition(state: { readonly messages: readonly MessageLike[] } | readonly MessageLike[]): "tools" | typeof END {
  const messages = Array.isArray(state) ? state : (state as { messages?: unknown } | null | undefined)?.messages;
  if (!Array.isArray(messages)) {
    const given = state === null ? "null" : Array.isArray(state) ? "an array" : typeof state === "object" ? `an object without \`messages\` (keys: ${Object.keys(state).join(", ") || "none"})` : typeof state;
    throw new WeftError("INVALID_INPUT", `toolsCondition takes the graph state { messages } (e.g. MessagesState) or an array of messages, not ${given}. Use it after a node of a graph whose state has \`messages\`.`);
  }
  const last = messages.length > 0 ? toMessage(messages[messages.length - 1], "The last message") : undefined;
  return last !== undefined && "role" in last && last.role === "assistant" && last.toolCalls.length > 0 ? "tools" : END;
}
