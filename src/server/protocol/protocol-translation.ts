// One run's logged events (the LangGraph server's wire events: `mode|namespace` names, JSON data) as
// Agent Streaming Protocol events, the shape `@langchain/react` v1 reads. Message chunks are revived
// and fed to the in-process v3 converter (src/stream), so both paths speak the same lifecycles.
import { toMessage } from "../../core/message-coercion.js";
import { AIMessageChunk, Message } from "../../core/messages.js";
import { ProtocolConverter, type PendingEvent } from "../../stream/protocol-events.js";
import { type LifecycleChange, NamespaceLifecycles } from "../../stream/protocol-lifecycle.js";
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
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Translates the events of one run, in log order. Deterministic: the same log gives the same events
 * with the same `seq`, so a reader that starts again from the log's start can skip what it sent.
 */
export class ProtocolRunTranslator {
  private readonly converter = new ProtocolConverter();
  private readonly lifecycles = new NamespaceLifecycles();
  private index = 0;
  private running = false;
  private interrupted = false;
  private ended = false;

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
      if (!this.running) {
        this.running = true;
        this.lifecycle(out, this.lifecycles.start());
      }
      return out;
    }
    if (mode === "error" || mode === "end") return out;
    if (mode === "values" && isObject(data) && Array.isArray(data[INTERRUPT])) {
      for (const event of this.converter.flush()) this.push(out, event);
      for (const interrupt of data[INTERRUPT] as Array<Record<string, unknown>>) {
        this.interrupted = true;
        const interruptId = String(interrupt.id ?? interrupt.interrupt_id ?? "");
        this.push(out, { method: "input", namespace, data: { interrupt_id: interruptId, payload: interrupt.value } });
      }
      return out;
    }
    if (mode === "updates" && isObject(data) && INTERRUPT in data) return out;
    for (const event of this.converter.convert(namespace, mode, revive(mode, data))) this.push(out, event);
    return out;
  }

  /** The events after the log's last one: open messages finish, the namespaces still open and the root end as the run did. */
  finish(ending: RunEnding): WireProtocolEvent[] {
    const out: WireProtocolEvent[] = [];
    if (this.ended) return out;
    this.ended = true;
    for (const event of this.converter.finishAll()) this.push(out, event);
    const status =
      ending.status === "success" ? (this.interrupted ? "interrupted" : "completed") : ending.status === "interrupted" ? "interrupted" : "failed";
    const error = status === "failed" ? (ending.error?.message ?? `The run ended with status "${ending.status}".`) : undefined;
    for (const change of this.lifecycles.end(status, error)) this.lifecycle(out, change);
    return out;
  }

  private push(out: WireProtocolEvent[], event: PendingEvent): void {
    for (const change of this.lifecycles.before(event)) this.lifecycle(out, change);
    this.emit(out, event.method === "input" ? "input.requested" : event.method, event.namespace, event.node, event.data);
    for (const change of this.lifecycles.after(event)) this.lifecycle(out, change);
  }

  private lifecycle(out: WireProtocolEvent[], change: LifecycleChange): void {
    this.emit(out, "lifecycle", change.namespace, undefined, change.data);
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
