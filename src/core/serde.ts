// How checkpoints become text and back. JSON with tagged values for what JSON cannot say
// (messages, Dates, Maps, Sets, bigints, undefined, non-finite numbers, Sends), so a thread
// restored in another process holds the same classes it held when it was saved.
import { WeftError, describeValue } from "../errors.js";
import { Send } from "./send.js";
import { AIMessage, AIMessageChunk, HumanMessage, Message, RemoveMessage, SystemMessage, ToolMessage } from "./messages.js";
import { isLangChainMessage, toMessage } from "./message-coercion.js";

/** The key that marks a tagged value. A plain object that has this key itself is escaped. */
const TAG = "__weft";

type Tagged = { [TAG]: string; v?: unknown; c?: string };

/**
 * Turns checkpoint data into text and back. Every checkpointer uses one; the default,
 * {@link jsonSerde}, is what you want unless you store your own classes in state.
 */
export interface Serde {
  /** Text for `value`; throws WeftError SERIALIZATION naming the path of anything it cannot keep. */
  stringify(value: unknown, path?: string): string;
  parse(text: string): unknown;
}

const MESSAGE_CLASSES: Record<string, new (...args: any[]) => Message> = {
  Message,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  AIMessage,
};

function unserializable(path: string, what: string): WeftError {
  return new WeftError(
    "SERIALIZATION",
    `Cannot save ${path} in a checkpoint: it holds ${what}. Checkpointed state may hold plain objects, arrays, strings, ` +
      `numbers, booleans, null, undefined, bigints, Dates, Maps, Sets and Weft messages; keep functions, class instances ` +
      `and cyclic structures out of the state (or out of this key).`,
    { details: { path } },
  );
}

function encode(value: unknown, path: string, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : { [TAG]: "number", v: String(value) };
    case "undefined":
      return { [TAG]: "undefined" };
    case "bigint":
      return { [TAG]: "bigint", v: value.toString() };
    case "function":
      throw unserializable(path, describeValue(value));
    case "symbol":
      throw unserializable(path, "a symbol");
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) throw unserializable(path, "a reference to itself (a cycle)");
  ancestors.add(object);
  try {
    return encodeObject(object, path, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function encodeObject(object: object, path: string, ancestors: Set<object>): unknown {
  if (Array.isArray(object)) return object.map((item, index) => encode(item, `${path}[${index}]`, ancestors));
  const prototype = Object.getPrototypeOf(object);
  if (prototype === Object.prototype || prototype === null) {
    const record = object as Record<string, unknown>;
    const encoded: Record<string, unknown> = {};
    for (const key of Object.keys(record)) encoded[key] = encode(record[key], `${path}.${key}`, ancestors);
    return TAG in record ? { [TAG]: "object", v: encoded } : encoded;
  }
  if (object instanceof Date) return { [TAG]: "Date", v: object.toISOString() };
  if (object instanceof Map) {
    return { [TAG]: "Map", v: [...object].map(([key, item], index) => [encode(key, `${path}<key ${index}>`, ancestors), encode(item, `${path}.get(${index})`, ancestors)]) };
  }
  if (object instanceof Set) return { [TAG]: "Set", v: [...object].map((item, index) => encode(item, `${path}<item ${index}>`, ancestors)) };
  if (object instanceof AIMessageChunk) return { [TAG]: "AIMessageChunk", v: encode({ ...object }, path, ancestors) };
  if (object instanceof Message) {
    const name = object.constructor.name;
    if (MESSAGE_CLASSES[name] === undefined) throw unserializable(path, `a message of unknown class ${name}`);
    return { [TAG]: "message", c: name, v: encode({ ...object }, path, ancestors) };
  }
  if (object instanceof RemoveMessage) return { [TAG]: "RemoveMessage", v: object.id };
  if (object instanceof Send) return { [TAG]: "Send", v: encode({ node: object.node, arg: object.arg }, path, ancestors) };
  // A LangChain message a node returned (a LangChain model's answer) is kept as the Weft message the
  // messages reducer makes of it; restored, it is that Weft message.
  if (isLangChainMessage(object)) {
    let message: unknown;
    try {
      message = toMessage(object, path);
    } catch {
      throw unserializable(path, `a LangChain ${describeValue(object)} Weft cannot read as a message`);
    }
    return encodeObject(message as object, path, ancestors);
  }
  throw unserializable(path, describeValue(object));
}

function decode(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if (!(TAG in record)) {
    const decoded: Record<string, unknown> = {};
    for (const key of Object.keys(record)) decoded[key] = decode(record[key]);
    return decoded;
  }
  const tagged = record as Tagged;
  switch (tagged[TAG]) {
    case "object": {
      const inner = tagged.v as Record<string, unknown>;
      const decoded: Record<string, unknown> = {};
      for (const key of Object.keys(inner)) decoded[key] = decode(inner[key]);
      return decoded;
    }
    case "undefined":
      return undefined;
    case "number":
      return Number(tagged.v);
    case "bigint":
      return BigInt(tagged.v as string);
    case "Date":
      return new Date(tagged.v as string);
    case "Map":
      return new Map((tagged.v as unknown[][]).map(([key, item]) => [decode(key), decode(item)]));
    case "Set":
      return new Set((tagged.v as unknown[]).map(decode));
    case "Send": {
      const { node, arg } = decode(tagged.v) as { node: string; arg: unknown };
      return new Send(node, arg);
    }
    case "AIMessageChunk": {
      const fields = decode(tagged.v) as Record<string, unknown>;
      return Object.assign(Object.create(AIMessageChunk.prototype), fields);
    }
    case "RemoveMessage":
      return new RemoveMessage({ id: tagged.v as string });
    case "message": {
      const MessageClass = MESSAGE_CLASSES[tagged.c!];
      if (MessageClass === undefined) throw new WeftError("SERIALIZATION", `A checkpoint holds a message of unknown class "${tagged.c}".`);
      return Object.assign(Object.create(MessageClass.prototype), decode(tagged.v));
    }
    default:
      throw new WeftError("SERIALIZATION", `A checkpoint holds a value tagged "${tagged[TAG]}", which this version of Weft cannot read.`);
  }
}

/** The default serde: tagged JSON. */
export const jsonSerde: Serde = {
  stringify(value, path = "value") {
    return JSON.stringify(encode(value, path, new Set()));
  },
  parse(text) {
    return decode(JSON.parse(text));
  },
};
