// One run's logged events (the LangGraph server's wire events: `mode|namespace` names, JSON data) as
// Agent Streaming Protocol events, the shape `@langchain/react` v1 reads. Message chunks are revived
// and fed to the in-process v3 converter (src/stream), so both paths speak the same lifecycles.
import { toMessage } from "../../core/message-coercion.js";
import { AIMessageChunk, Message } from "../../core/messages.js";
import { ProtocolConverter, type PendingEvent } from "../../stream/protocol-events.js";
import type { Namespace } from "../../stream/run-event-types.js";

/** A protocol event as it goes on the wire (`seq` orders a thread's events; `event_id` dedupes them). */
export interface WireProtocolEvent {
  type: "event";
  event_id: string;
  seq: number;
  method: string;
  params: { namespace: Namespace; timestamp: number; node?: string; data: unknown };
}

/** How a run ended, from its record, once its log has ended. */
export interface RunEnding {
  status: string;
  error?: { error: string; message: string };
}

const INTERRUPT = "__interrupt__";
const nameOf = (segment: string) => (segment.includes(":") ? segment.slice(0, segment.indexOf(":")) : segment);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Translates the events of one run, in log order. Deterministic: the same log gives the same events
 * with the same `seq`, so a reader that starts again from the log's start can skip what it sent.
 */
export class ProtocolRunTranslator {
  private readonly converter = new ProtocolConverter();
  private readonly started = new Set<string>();
  private readonly toolCallOfTask = new Map<string, string>();
  private index = 0;
  private interrupted = false;
  private ended = false;
  private heldValues: { namespace: string[]; data: unknown } | undefined;

  /**
   * @param runId names the events (`event_id` is `<runId>:<index>`).
   * @param seqBase the run's first `seq`: later runs of a thread start higher, so `seq` grows over the thread.
   */
  constructor(
    private readonly runId: string,
    private readonly seqBase: number,
  ) {}

  /** The protocol events of one logged event (`name` is its SSE event name). */
  translate(name: string, data: unknown): WireProtocolEvent[] {
    const [mode = "", ...namespace] = name.split("|");
    const out: WireProtocolEvent[] = [];
    if (mode === "metadata") {
      // Each attempt logs its metadata; the root is "running" once.
      if (!this.started.has("")) {
        this.started.add("");
        this.push(out, { method: "lifecycle", namespace: [], data: { event: "running", graph_name: "root" } });
      }
      return out;
    }
    if (mode === "error" || mode === "end") return out;
    if (mode === "values" && isObject(data) && Array.isArray(data[INTERRUPT])) {
      this.flushValues(out);
      for (const interrupt of data[INTERRUPT] as Array<Record<string, unknown>>) {
        this.interrupted = true;
        const interruptId = String(interrupt.id ?? interrupt.interrupt_id ?? "");
        this.push(out, { method: "input", namespace, data: { interrupt_id: interruptId, payload: interrupt.value } });
      }
      return out;
    }
    if (mode === "updates" && isObject(data) && INTERRUPT in data) return out;
    const isCheckpoint = mode === "debug" && isObject(data) && data.type === "checkpoint";
    const held = this.heldValues;
    // A step's checkpoint is logged just after its values; the client pairs a checkpoint with the
    // values that follow it, so a root or subgraph's values wait for the checkpoint of the same graph.
    if (held !== undefined && !(isCheckpoint && held.namespace.join("|") === namespace.join("|"))) this.flushValues(out);
    if (mode === "values") {
      this.heldValues = { namespace, data };
      return out;
    }
    for (const event of this.converter.convert(namespace, mode, revive(mode, data))) this.push(out, event);
    if (isCheckpoint) this.flushValues(out);
    return out;
  }

  private flushValues(out: WireProtocolEvent[]): void {
    const held = this.heldValues;
    if (held === undefined) return;
    this.heldValues = undefined;
    for (const event of this.converter.convert(held.namespace, "values", held.data)) this.push(out, event);
  }

  /** The events after the log's last one: open messages finish, the root ends as the run did. */
  finish(ending: RunEnding): WireProtocolEvent[] {
    const out: WireProtocolEvent[] = [];
    if (this.ended) return out;
    this.ended = true;
    this.flushValues(out);
    for (const event of this.converter.finishAll()) this.push(out, event);
    const status =
      ending.status === "success" ? (this.interrupted ? "interrupted" : "completed") : ending.status === "interrupted" ? "interrupted" : "failed";
    for (const key of [...this.started].filter((each) => each !== "")) {
      this.lifecycle(out, key.split("|"), status);
    }
    const data: Record<string, unknown> = { event: status, graph_name: "root" };
    if (status === "failed") data.error = ending.error?.message ?? `The run ended with status "${ending.status}".`;
    this.emit(out, "lifecycle", [], undefined, data);
    return out;
  }

  private push(out: WireProtocolEvent[], event: PendingEvent | { method: string; namespace: Namespace; node?: string; data: unknown }): void {
    // A namespace seen for the first time starts; one opened by a tool call says which call (`cause`).
    for (let length = 1; length <= event.namespace.length; length++) {
      const prefix = event.namespace.slice(0, length);
      const key = prefix.join("|");
      if (this.started.has(key)) continue;
      this.started.add(key);
      const data: Record<string, unknown> = { event: "started", graph_name: nameOf(prefix.at(-1)!) };
      const toolCallId = this.toolCallOfTask.get(prefix.slice(0, -1).join("|"));
      if (toolCallId !== undefined) data.cause = { type: "toolCall", tool_call_id: toolCallId };
      this.emit(out, "lifecycle", prefix, undefined, data);
    }
    if (event.method === "tools" && isObject(event.data) && event.data.event === "tool-started" && event.namespace.length > 0) {
      // A subgraph started below the task running this tool was spawned by this tool call.
      this.toolCallOfTask.set(event.namespace.join("|"), String(event.data.tool_call_id));
    }
    this.emit(out, event.method === "input" ? "input.requested" : event.method, event.namespace, event.node, event.data);
  }

  private lifecycle(out: WireProtocolEvent[], namespace: Namespace, status: string): void {
    this.emit(out, "lifecycle", namespace, undefined, { event: status, graph_name: nameOf(namespace.at(-1)!) });
  }

  private emit(out: WireProtocolEvent[], method: string, namespace: Namespace, node: string | undefined, data: unknown): void {
    const index = this.index++;
    const params: WireProtocolEvent["params"] = { namespace: [...namespace], timestamp: Date.now(), data };
    if (node !== undefined) params.node = node;
    out.push({ type: "event", event_id: `${this.runId}:${index}`, seq: this.seqBase + index, method, params });
  }
}

/** The wire data of a mode as the v3 converter takes it: message dicts become Weft messages. */
function revive(mode: string, data: unknown): unknown {
  if (mode === "messages" && Array.isArray(data)) {
    const [message, metadata] = data as [unknown, Record<string, unknown>];
    return [reviveMessage(message), metadata];
  }
  if (mode === "updates" && isObject(data)) {
    return Object.fromEntries(Object.entries(data).map(([node, values]) => [node, isObject(values) ? reviveValues(values) : values]));
  }
  return data;
}

function reviveValues(values: Record<string, unknown>): Record<string, unknown> {
  const messages = values.messages;
  if (!Array.isArray(messages)) return values;
  return { ...values, messages: messages.map(reviveMessage) };
}

function reviveMessage(message: unknown): unknown {
  if (!isObject(message)) return message;
  if (message.type === "AIMessageChunk") {
    const toolCallChunks = Array.isArray(message.tool_call_chunks)
      ? (message.tool_call_chunks as Array<Record<string, unknown>>).map((part) => ({
          index: Number(part.index ?? 0),
          id: typeof part.id === "string" ? part.id : undefined,
          name: typeof part.name === "string" ? part.name : undefined,
          args: typeof part.args === "string" ? part.args : "",
        }))
      : [];
    const chunk = new AIMessageChunk(typeof message.content === "string" ? message.content : "", String(message.id ?? ""), toolCallChunks);
    const usage = message.usage_metadata as Record<string, number> | undefined;
    if (isObject(usage)) chunk.usage = { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0, totalTokens: usage.total_tokens ?? 0 };
    const reasoning = (message.additional_kwargs as Record<string, unknown> | undefined)?.reasoning_content;
    if (typeof reasoning === "string") chunk.reasoning = reasoning;
    return chunk;
  }
  try {
    const revived = toMessage(message);
    if (revived instanceof Message) {
      const responseMetadata = message.response_metadata;
      if (isObject(responseMetadata) && "responseMetadata" in revived) (revived as { responseMetadata: Record<string, unknown> }).responseMetadata = responseMetadata;
      return revived;
    }
  } catch {
    // Not a message Weft reads: it passes through and the converter skips it.
  }
  return message;
}
