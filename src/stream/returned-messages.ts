// Messages mode streams tokens as models produce them; a message a node returns without streaming it
// (a ToolMessage, a hand-made AIMessage, the answer of a `nostream` call) is streamed here, whole and
// once, right after the node returns, as LangGraph does. Streamed ids are remembered per run.
// A LangChain message instance (`new AIMessage(...)` from @langchain/core) counts too, as a Weft message.
import { isCommand } from "../core/command.js";
import { isLangChainMessage, toMessage } from "../core/message-coercion.js";
import { Message } from "../core/messages.js";
import type { RunStream } from "./run-stream.js";

/** Where the messages come from: the task's tags and metadata (langgraph_node, ...). */
export interface ReturnedMessagesSource {
  readonly tags: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * Push to `messages` mode every message in `update` (the node's return value: an update object,
 * a Command, a message or a list) that this run has not streamed and that was not in the node's
 * `input`. A message without an id gets one here, in place, so the stream and the state agree on it.
 * A LangChain message is streamed as the Weft message the state will hold.
 */
export function streamReturnedMessages(
  stream: RunStream,
  namespace: readonly string[],
  update: unknown,
  input: unknown,
  source: ReturnedMessagesSource,
): void {
  const found: ReturnedMessage[] = [];
  collect(update, found, 0);
  if (found.length === 0) return;
  let inputIds: Set<string> | undefined;
  let metadata: Record<string, unknown> | undefined;
  for (const message of found) {
    if (typeof message.id === "string") {
      if (stream.wasStreamed(message.id)) continue;
      inputIds ??= idsIn(input);
      if (inputIds.has(message.id)) continue;
    }
    const streamed = message instanceof Message ? message : readable(message);
    if (streamed === undefined) continue;
    if (typeof message.id !== "string") {
      message.id = streamed.id = crypto.randomUUID();
      // LangChain's own copy of its fields, which its serialization reads.
      const kwargs = (message as { lc_kwargs?: Record<string, unknown> }).lc_kwargs;
      if (typeof kwargs === "object" && kwargs !== null) kwargs.id = message.id;
    }
    stream.markStreamed(message.id);
    // Built once per node return and shared by its messages, as model calls share theirs.
    metadata ??= { ...source.metadata, tags: [...source.tags] };
    stream.push("messages", namespace, [streamed, metadata]);
  }
}

/** A LangChain message as a Weft message; undefined for a kind Weft does not read (a FunctionMessage), which is not streamed. */
function readable(message: ReturnedMessage): Message | undefined {
  try {
    const read = toMessage(message);
    return read instanceof Message ? read : undefined;
  } catch {
    return undefined;
  }
}

/** A Weft message, or a LangChain message instance (its `_getType()` is what LangChain's isBaseMessage checks). */
type ReturnedMessage = Message | { id?: string | null; _getType(): string };

function isReturnedMessage(value: unknown): value is ReturnedMessage {
  return value instanceof Message || isLangChainMessage(value);
}

/** Messages in a node's return value: the value itself, a Command's update, list items, an object's values. */
function collect(value: unknown, found: ReturnedMessage[], depth: number): void {
  if (isReturnedMessage(value)) {
    if (!found.includes(value)) found.push(value);
    return;
  }
  if (typeof value !== "object" || value === null || depth > 1) return;
  if (isCommand(value)) return collect(value.update, found, depth);
  if (Array.isArray(value)) {
    for (const item of value) if (isReturnedMessage(item) || isCommand(item)) collect(item, found, depth);
    return;
  }
  if (depth === 0) for (const key of Object.keys(value)) collect((value as Record<string, unknown>)[key], found, depth + 1);
}

/** Ids of the messages the node was given (they are state, not news). */
function idsIn(input: unknown): Set<string> {
  const ids = new Set<string>();
  if (typeof input !== "object" || input === null) return ids;
  const add = (value: unknown) => {
    if (value instanceof Message && value.id !== undefined) ids.add(value.id);
  };
  for (const value of Array.isArray(input) ? [input] : Object.values(input)) {
    if (Array.isArray(value)) value.forEach(add);
    else add(value);
  }
  return ids;
}
