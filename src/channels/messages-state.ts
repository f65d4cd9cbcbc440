// MessagesState: the state schema of a chat: one `messages` key reduced by addMessages.
import type { ChannelSpec } from "../core/channel.js";
import type { Message } from "../core/messages.js";
import { type MessagesUpdate, addMessages } from "./messages.js";
import { reducer } from "./reducer.js";

/**
 * A state schema `{ messages }` whose updates are merged by {@link addMessages} (append, replace by
 * id, RemoveMessage). Use it as it is, or spread it into a larger schema.
 *
 * @example
 * const graph = new StateGraph(MessagesState);
 * const withSummary = new StateGraph({ ...MessagesState, summary: lastValue<string>() });
 */
export const MessagesState: { readonly messages: ChannelSpec<Message[], MessagesUpdate> } = Object.freeze({
  messages: reducer<Message[], MessagesUpdate>(addMessages, () => []),
});

/** LangGraph.js's name for {@link MessagesState}. */
export const MessagesAnnotation = MessagesState;
