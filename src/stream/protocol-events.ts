// Weft's stream items (`[namespace, mode, chunk]` with subgraphs) as stream-protocol events, the payloads
// as LangGraph.js 1.7 shapes them. Messages mode streams chunks; here each model call becomes a message
// lifecycle (message-start, content blocks, message-finish), ended when its node reports its update.
import { AIMessageChunk, Message, type ToolMessage } from "../core/messages.js";
import type { DebugEvent, ToolEvent } from "./stream-types.js";
import type { MessageContentBlock, MessageEvent, Namespace, ProtocolMethod, ToolsEventData } from "./run-event-types.js";

/** An event before it is logged (the log gives it its seq and timestamp). */
export interface PendingEvent {
  method: ProtocolMethod;
  namespace: Namespace;
  node?: string;
  data: unknown;
}

interface OpenMessage {
  namespace: Namespace;
  node: string | undefined;
  /** Content blocks by key ("text", "reasoning", "tool:<index>"), in the order they opened. */
  blocks: Map<string, { index: number; content: MessageContentBlock }>;
  usage: { input_tokens: number; output_tokens: number; total_tokens: number } | undefined;
}

export class ProtocolConverter {
  private readonly open = new Map<string, OpenMessage>();
  /** A graph's values, kept until the next item: its step's checkpoint goes out first, as LangGraph pairs them. */
  private heldValues: PendingEvent | undefined;

  /** The events for one item of the Weft stream. */
  convert(namespace: Namespace, mode: string, payload: unknown): PendingEvent[] {
    const events: PendingEvent[] = [];
    const held = this.heldValues;
    // Weft logs a step's checkpoint just after its values; LangGraph sends it just before them.
    const isCheckpoint = mode === "debug" && (payload as DebugEvent | undefined)?.type === "checkpoint";
    if (held !== undefined && !(isCheckpoint && sameNamespace(held.namespace, namespace))) events.push(...this.flush());
    switch (mode) {
      case "values":
        this.heldValues = { method: "values", namespace, data: payload };
        break;
      case "updates": {
        const [node, values] = Object.entries((payload ?? {}) as Record<string, unknown>)[0] ?? [undefined, undefined];
        if (node === undefined) break;
        // The node returned: its model calls are over, with the finish reason its message has.
        this.finishMessagesIn(namespace, node, values, events);
        events.push({ method: "updates", namespace, node, data: { node, values: typeof values === "object" && values !== null ? values : { value: values } } });
        break;
      }
      case "messages":
        this.convertMessage(payload as [unknown, Record<string, unknown>], events);
        break;
      case "tools":
        events.push({ method: "tools", namespace, data: toolsData(payload as ToolEvent) });
        break;
      case "custom":
        events.push({ method: "custom", namespace, data: typeof payload === "object" && payload !== null && !Array.isArray(payload) && "name" in payload ? payload : { payload } });
        break;
      case "debug":
        this.convertDebug(namespace, payload as DebugEvent, events);
        if (isCheckpoint) events.push(...this.flush());
        break;
    }
    return events;
  }

  /** The values held back for their checkpoint, now (before an event that is not one of Weft's stream items, e.g. an interrupt). */
  flush(): PendingEvent[] {
    const held = this.heldValues;
    this.heldValues = undefined;
    return held === undefined ? [] : [held];
  }

  /** The run ended: the held values, then every message still open finishes. */
  finishAll(): PendingEvent[] {
    const events = this.flush();
    for (const id of [...this.open.keys()]) this.finishMessage(id, undefined, events);
    return events;
  }

  private convertMessage([message, metadata]: [unknown, Record<string, unknown>], events: PendingEvent[]): void {
    const namespace = namespaceOf(metadata);
    const node = typeof metadata?.langgraph_node === "string" ? metadata.langgraph_node : undefined;
    if (message instanceof AIMessageChunk) return this.convertChunk(message, namespace, node, events);
    if (!(message instanceof Message) || message.id === undefined) return;
    // A whole message a node returned without streaming it: its lifecycle at once.
    const id = message.id;
    const push = (data: MessageEvent) => events.push({ method: "messages", namespace, node, data });
    if (message.role === "tool") {
      push({ event: "message-start", id, role: "tool", tool_call_id: (message as ToolMessage).toolCallId });
      push({ event: "content-block-start", id, index: 0, content: { type: "text", text: "" } });
      push({ event: "content-block-delta", id, index: 0, delta: { type: "text-delta", text: message.text } });
      push({ event: "content-block-finish", id, index: 0, content: { type: "text", text: message.text } });
      push({ event: "message-finish", id });
      return;
    }
    if (message.role !== "assistant") return;
    const chunk = new AIMessageChunk(message.text, id, message.toolCalls.map((call, index) => ({ index, id: call.id, name: call.name, args: JSON.stringify(call.args) })));
    const reasoning = (message as { reasoning?: string }).reasoning;
    if (reasoning) this.convertChunk(Object.assign(new AIMessageChunk("", id), { reasoning }), namespace, node, events);
    this.convertChunk(chunk, namespace, node, events);
    this.finishMessage(id, (message as { responseMetadata?: Record<string, unknown> }).responseMetadata?.finishReason as string | undefined, events);
  }

  private convertChunk(chunk: AIMessageChunk, namespace: Namespace, node: string | undefined, events: PendingEvent[]): void {
    const id = chunk.id;
    const push = (data: MessageEvent) => events.push({ method: "messages", namespace, node, data });
    let message = this.open.get(id);
    if (message === undefined) {
      message = { namespace, node, blocks: new Map(), usage: undefined };
      this.open.set(id, message);
      push({ event: "message-start", id, role: "ai" });
    }
    const block = (key: string, content: MessageContentBlock) => {
      let open = message.blocks.get(key);
      if (open === undefined) {
        open = { index: message.blocks.size, content };
        message.blocks.set(key, open);
        push({ event: "content-block-start", id, index: open.index, content: { ...content } });
      }
      return open;
    };
    if (chunk.reasoning !== undefined && chunk.reasoning !== "") {
      const open = block("reasoning", { type: "reasoning", reasoning: "" });
      (open.content as { reasoning: string }).reasoning += chunk.reasoning;
      push({ event: "content-block-delta", id, index: open.index, delta: { type: "reasoning-delta", reasoning: chunk.reasoning } });
    }
    if (chunk.content !== "") {
      const open = block("text", { type: "text", text: "" });
      (open.content as { text: string }).text += chunk.content;
      push({ event: "content-block-delta", id, index: open.index, delta: { type: "text-delta", text: chunk.content } });
    }
    for (const fragment of chunk.toolCallChunks) {
      const open = block(`tool:${fragment.index}`, { type: "tool_call_chunk", id: fragment.id, name: fragment.name, args: "" });
      const content = open.content as { id?: string; name?: string; args: string };
      content.id ??= fragment.id;
      content.name ??= fragment.name;
      if (fragment.args !== undefined && fragment.args !== "") {
        content.args += fragment.args;
        push({ event: "content-block-delta", id, index: open.index, delta: { type: "tool-call-delta", args: fragment.args } });
      }
    }
    if (chunk.usage !== undefined) message.usage = { input_tokens: chunk.usage.inputTokens, output_tokens: chunk.usage.outputTokens, total_tokens: chunk.usage.totalTokens };
  }

  /** Finish the messages streamed in node `node` of graph `namespace` (its task namespaces are `node:<taskId>` below it). */
  private finishMessagesIn(namespace: Namespace, node: string, update: unknown, events: PendingEvent[]): void {
    if (this.open.size === 0) return;
    const reasons = new Map<string, string | undefined>();
    for (const message of messagesOf(update)) if (message.id !== undefined) reasons.set(message.id, (message as { responseMetadata?: Record<string, unknown> }).responseMetadata?.finishReason as string | undefined);
    for (const [id, message] of [...this.open]) {
      const last = message.namespace.at(-1) ?? "";
      const inNode = message.namespace.length === namespace.length + 1 && namespace.every((segment, index) => message.namespace[index] === segment) && last.startsWith(`${node}:`);
      if (inNode || reasons.has(id)) this.finishMessage(id, reasons.get(id), events);
    }
  }

  private finishMessage(id: string, reason: string | undefined, events: PendingEvent[]): void {
    const message = this.open.get(id);
    if (message === undefined) return;
    this.open.delete(id);
    const push = (data: MessageEvent) => events.push({ method: "messages", namespace: message.namespace, node: message.node, data });
    for (const { index, content } of message.blocks.values()) {
      if (content.type === "tool_call_chunk") {
        const args = parseArgs(content.args);
        push({ event: "content-block-finish", id, index, content: { type: "tool_call", id: content.id ?? "", name: content.name ?? "", args } });
      } else push({ event: "content-block-finish", id, index, content });
    }
    const finish: MessageEvent = { event: "message-finish", id };
    if (reason !== undefined) finish.reason = reason;
    if (message.usage !== undefined) finish.usage = message.usage;
    push(finish);
  }

  private convertDebug(namespace: Namespace, event: DebugEvent, events: PendingEvent[]): void {
    if (event.type === "task") {
      events.push({ method: "tasks", namespace, data: { id: event.payload.id, name: event.payload.name, input: event.payload.input, triggers: event.payload.triggers, interrupts: [] } });
    } else if (event.type === "task_result") {
      const { id, name, error, result, interrupts } = event.payload;
      // The task ended (also by failing or pausing): the model calls made in it are over.
      const task = [...namespace, `${name}:${id}`];
      for (const [messageId, message] of [...this.open]) {
        if (task.every((segment, index) => message.namespace[index] === segment)) this.finishMessage(messageId, undefined, events);
      }
      events.push({ method: "tasks", namespace, data: { id, name, error, result, interrupts } });
    } else if (event.type === "checkpoint") {
      const { config, parentConfig, metadata } = event.payload;
      const data: Record<string, unknown> = { id: config.configurable?.checkpoint_id, step: event.step, source: metadata.source };
      if (parentConfig?.configurable?.checkpoint_id !== undefined) data.parent_id = parentConfig.configurable.checkpoint_id;
      events.push({ method: "checkpoints", namespace, data });
    }
  }
}

const sameNamespace = (left: Namespace, right: Namespace) => left.length === right.length && left.every((segment, index) => right[index] === segment);

/** A model call's namespace: its task's checkpoint namespace (`agent:<taskId>`, nested with `|`), as in LangGraph. */
function namespaceOf(metadata: Record<string, unknown> | undefined): Namespace {
  const checkpointNs = metadata?.langgraph_checkpoint_ns;
  return typeof checkpointNs === "string" && checkpointNs !== "" ? checkpointNs.split("|") : [];
}

function messagesOf(update: unknown): Message[] {
  if (typeof update !== "object" || update === null) return [];
  const found: Message[] = [];
  for (const value of Object.values(update)) {
    if (value instanceof Message) found.push(value);
    else if (Array.isArray(value)) for (const item of value) if (item instanceof Message) found.push(item);
  }
  return found;
}

function parseArgs(text: string): Record<string, unknown> {
  if (text === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function toolsData(event: ToolEvent): ToolsEventData {
  const toolCallId = event.toolCallId ?? "";
  switch (event.event) {
    case "on_tool_start":
      return { event: "tool-started", tool_call_id: toolCallId, tool_name: event.name, input: event.input };
    case "on_tool_event":
      return { event: "tool-output-delta", tool_call_id: toolCallId, delta: typeof event.data === "string" ? event.data : JSON.stringify(event.data ?? "") };
    case "on_tool_end":
      return { event: "tool-finished", tool_call_id: toolCallId, output: event.output };
    case "on_tool_error": {
      const error = event.error as { message?: unknown } | undefined;
      return { event: "tool-error", tool_call_id: toolCallId, message: typeof error?.message === "string" ? error.message : String(event.error) };
    }
  }
}
