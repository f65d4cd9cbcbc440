// addMessages: the reducer of a conversation, with the semantics of LangGraph's messagesStateReducer.
import { WeftError } from "../errors.js";
import { toMessage } from "../core/message-coercion.js";
import { Message, type MessageLike, REMOVE_ALL_MESSAGES, RemoveMessage } from "../core/messages.js";

/** What a `messages` key takes: one message-like or a list of them. */
export type MessagesUpdate = MessageLike | readonly MessageLike[];

/**
 * Merge `right` into `left`, as LangGraph's `messagesStateReducer` does:
 * - message-likes (`{ role, content }`, LangChain's `{ type, content }` dicts and instances, a string as a
 *   human message, `[type, content]` tuples, LangChain's serialized form) become Weft messages;
 * - a message without an id gets a fresh one (a Weft message object is given it in place, so the id it
 *   was streamed with is the id it keeps);
 * - a message whose id is already in the list replaces that message where it stands;
 * - `new RemoveMessage({ id })` deletes that message (an id not in the list is an INVALID_UPDATE error);
 * - `new RemoveMessage({ id: REMOVE_ALL_MESSAGES })` deletes everything before it, and what follows it
 *   in `right` is the new list.
 *
 * Returns a new array; `left` is not changed.
 *
 * @example
 * addMessages([new HumanMessage("hi", { id: "1" })], [{ role: "assistant", content: "hello" }]);
 * // [HumanMessage "hi" (id "1"), AIMessage "hello" (a new id)]
 */
export function addMessages(left: MessagesUpdate, right: MessagesUpdate): Message[] {
  const leftMessages = coerceAll(left, "existing");
  const rightMessages = coerceAll(right, "new");
  let removeAllAt = -1;
  for (let index = rightMessages.length - 1; index >= 0; index--) {
    const message = rightMessages[index]!;
    if (message instanceof RemoveMessage && message.id === REMOVE_ALL_MESSAGES) {
      removeAllAt = index;
      break;
    }
  }
  // After a remove-all, what follows it is merged into an empty list (so it is checked like any update).
  if (removeAllAt >= 0) return merge([], rightMessages.slice(removeAllAt + 1));
  return merge(leftMessages as Message[], rightMessages);
}

function merge(left: readonly Message[], right: ReadonlyArray<Message | RemoveMessage>): Message[] {
  const merged: Message[] = [...left];
  const indexById = new Map<string, number>();
  merged.forEach((message, index) => indexById.set(message.id!, index));
  const removed = new Set<string>();
  for (const message of right) {
    const index = indexById.get(message.id!);
    if (message instanceof RemoveMessage) {
      if (message.id === REMOVE_ALL_MESSAGES) continue;
      if (index === undefined) {
        throw new WeftError(
          "INVALID_UPDATE",
          `RemoveMessage names id "${message.id}", but no message in the list has that id. Remove only ids present in the state ` +
            `(read them from the state's messages), or use REMOVE_ALL_MESSAGES to clear the list.`,
          { details: { id: message.id } },
        );
      }
      removed.add(message.id);
    } else if (index !== undefined) {
      removed.delete(message.id!);
      merged[index] = message;
    } else {
      indexById.set(message.id!, merged.length);
      merged.push(message);
    }
  }
  return removed.size === 0 ? merged : merged.filter((message) => !removed.has(message.id!));
}

function coerceAll(value: MessagesUpdate, side: string): Array<Message | RemoveMessage> {
  const list: readonly unknown[] = Array.isArray(value) ? value : [value];
  return Array.from(list, (like, index) => {
    const message = toMessage(like, `The ${side} message ${index}`);
    if (message instanceof Message && message.id === undefined) message.id = crypto.randomUUID();
    return message;
  });
}
