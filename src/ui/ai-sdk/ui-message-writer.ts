// Turns the items of a Weft run stream (messages, tools and custom modes) into the chunks of one AI SDK
// UI message, step by step. Pure: it returns chunks and does no I/O, so the stream wrapper stays thin.
import { WeftError, describeValue } from "../../errors.js";
import { INTERRUPT, type Interrupt } from "../../core/interrupt.js";
import { AIMessageChunk, Message, type ToolMessage } from "../../core/messages.js";
import { STREAM_MODES, type StreamMode } from "../../stream/run-stream.js";
import type { ToolEvent } from "../../stream/stream-types.js";
import type { UIFinishReason, UIMessageChunk } from "./ui-message-types.js";

export interface UIMessageWriterOptions {
  /** Send reasoning ("thinking") as reasoning parts (default true). */
  sendReasoning?: boolean;
  /** What the UI shows as a tool's output; default: the ToolMessage's content. */
  toolOutput?: (message: ToolMessage) => unknown;
  /**
   * The response continues the client's last assistant message (a run resumed after an interrupt):
   * a tool call that message already shows gets only its output, into the part it has.
   */
  continuesMessage?: boolean;
}

/** One model call seen in messages mode: its open parts, by call id (the AIMessageChunk id). */
interface ModelCallParts {
  textId: string | undefined;
  reasoningId: string | undefined;
  /** Text and reasoning parts opened so far, so a part reopened after a close gets a fresh id. */
  textParts: number;
  reasoningParts: number;
  toolCalls: Map<number, StreamedToolCall>;
}

interface StreamedToolCall {
  id: string | undefined;
  name: string | undefined;
  args: string;
  started: boolean;
}

/**
 * The state machine of one response. Feed it every item the run yields (`accept`), then `finish()`
 * or `fail(error)`; each returns the chunks to send, in order.
 */
export class UIMessageWriter {
  private stepOpen = false;
  /** Model calls of the current step, and which of them have parts open. */
  private readonly callsInStep = new Set<string>();
  private readonly calls = new Map<string, ModelCallParts>();
  private readonly openCalls = new Set<string>();
  /** Tool calls whose input (`tool-input-available`) and output were sent, by tool call id. */
  private readonly announced = new Set<string>();
  private readonly answered = new Set<string>();
  private readonly sendReasoning: boolean;
  private readonly toolOutput: (message: ToolMessage) => unknown;
  private readonly continuesMessage: boolean;
  private out: UIMessageChunk[] = [];

  constructor(options: UIMessageWriterOptions = {}) {
    this.sendReasoning = options.sendReasoning ?? true;
    this.toolOutput = options.toolOutput ?? ((message) => message.content);
    this.continuesMessage = options.continuesMessage ?? false;
  }

  /** The chunks for one item of `graph.stream(...)`: `[mode, chunk]`, `[namespace, mode, chunk]`, or a bare messages-mode `[message, metadata]`. */
  accept(item: unknown): UIMessageChunk[] {
    const { mode, payload } = readItem(item);
    if (mode === "messages") this.acceptMessage((payload as [unknown, unknown])[0]);
    else if (mode === "tools") this.acceptToolEvent(payload as ToolEvent);
    else if (mode === "custom") this.acceptCustom(payload);
    else if (mode === "updates") this.acceptUpdate(payload);
    return this.take();
  }

  /** The run ended: close what is open, then `finish`. */
  finish(finishReason: UIFinishReason = "stop"): UIMessageChunk[] {
    this.closeCalls();
    this.finishStep();
    this.out.push({ type: "finish", finishReason });
    return this.take();
  }

  /** The run failed: close what is open, then `error` (or `abort` when it was aborted on the server). */
  fail(error: unknown, errorText: string): UIMessageChunk[] {
    this.closeCalls();
    this.finishStep();
    if (WeftError.isInstance(error) && error.code === "ABORTED") this.out.push({ type: "abort", reason: errorText });
    else this.out.push({ type: "error", errorText });
    return this.take();
  }

  private take(): UIMessageChunk[] {
    const chunks = this.out;
    this.out = [];
    return chunks;
  }

  private acceptMessage(message: unknown): void {
    if (message instanceof AIMessageChunk) return this.acceptChunk(message);
    if (!(message instanceof Message)) return;
    // A whole message a node returned: the model calls before it are done.
    this.closeCalls();
    if (message.role === "tool") return this.answer(message.toolCallId!, message.name ?? "tool", message as ToolMessage);
    if (message.role !== "assistant") return;
    this.startStep();
    const id = message.id ?? `message-${this.calls.size}`;
    const reasoning = (message as { reasoning?: string }).reasoning;
    if (this.sendReasoning && reasoning) {
      this.out.push({ type: "reasoning-start", id: `${id}:reasoning` }, { type: "reasoning-delta", id: `${id}:reasoning`, delta: reasoning }, { type: "reasoning-end", id: `${id}:reasoning` });
    }
    if (message.text !== "") this.out.push({ type: "text-start", id }, { type: "text-delta", id, delta: message.text }, { type: "text-end", id });
    for (const call of message.toolCalls) this.announce(call.id, call.name, call.args);
  }

  private acceptChunk(chunk: AIMessageChunk): void {
    const callId = chunk.id;
    if (!this.callsInStep.has(callId)) {
      // A new model call starts a new step once the calls of the current one are done (tools ran in between).
      if (this.openCalls.size === 0) this.finishStep();
      this.startStep();
      this.callsInStep.add(callId);
    }
    let call = this.calls.get(callId);
    if (call === undefined) {
      call = { textId: undefined, reasoningId: undefined, textParts: 0, reasoningParts: 0, toolCalls: new Map() };
      this.calls.set(callId, call);
    }
    this.openCalls.add(callId);
    if (chunk.reasoning !== undefined && chunk.reasoning !== "" && this.sendReasoning) {
      if (call.reasoningId === undefined) {
        call.reasoningId = `${callId}:reasoning${++call.reasoningParts === 1 ? "" : `:${call.reasoningParts}`}`;
        this.out.push({ type: "reasoning-start", id: call.reasoningId });
      }
      this.out.push({ type: "reasoning-delta", id: call.reasoningId, delta: chunk.reasoning });
    }
    if (chunk.content !== "") {
      if (call.reasoningId !== undefined) {
        this.out.push({ type: "reasoning-end", id: call.reasoningId });
        call.reasoningId = undefined;
      }
      if (call.textId === undefined) {
        call.textId = ++call.textParts === 1 ? callId : `${callId}:${call.textParts}`;
        this.out.push({ type: "text-start", id: call.textId });
      }
      this.out.push({ type: "text-delta", id: call.textId, delta: chunk.content });
    }
    for (const fragment of chunk.toolCallChunks) {
      let toolCall = call.toolCalls.get(fragment.index);
      if (toolCall === undefined) {
        toolCall = { id: undefined, name: undefined, args: "", started: false };
        call.toolCalls.set(fragment.index, toolCall);
      }
      toolCall.id ??= fragment.id;
      toolCall.name ??= fragment.name;
      if (fragment.args !== undefined) toolCall.args += fragment.args;
      if (!toolCall.started && toolCall.id !== undefined && toolCall.name !== undefined && !this.announced.has(toolCall.id)) {
        toolCall.started = true;
        this.out.push({ type: "tool-input-start", toolCallId: toolCall.id, toolName: toolCall.name });
        // Arguments that came before the id and name (some providers) go out now, at once.
        if (toolCall.args !== "") this.out.push({ type: "tool-input-delta", toolCallId: toolCall.id, inputTextDelta: toolCall.args });
      } else if (toolCall.started && fragment.args !== undefined && fragment.args !== "") {
        this.out.push({ type: "tool-input-delta", toolCallId: toolCall.id!, inputTextDelta: fragment.args });
      }
    }
  }

  private acceptToolEvent(event: ToolEvent): void {
    if (typeof event !== "object" || event === null || event.toolCallId === undefined) return; // a tool invoked directly, not by a model
    if (event.event === "on_tool_event") return;
    this.closeCalls();
    if (event.event === "on_tool_start") {
      // A call no model made in this response was made in the message it continues: that part gets the output.
      if (this.continuesMessage && !this.announced.has(event.toolCallId)) return void this.announced.add(event.toolCallId);
      return this.announce(event.toolCallId, event.name, event.input);
    }
    if (event.event === "on_tool_end") {
      const output = event.output;
      if (output instanceof Message && output.role === "tool") return this.answer(event.toolCallId, event.name, output as ToolMessage);
      if (this.answered.has(event.toolCallId)) return;
      this.announce(event.toolCallId, event.name, undefined);
      this.answered.add(event.toolCallId);
      this.out.push({ type: "tool-output-available", toolCallId: event.toolCallId, output });
      return;
    }
    // on_tool_error
    if (this.answered.has(event.toolCallId)) return;
    this.announce(event.toolCallId, event.name, undefined);
    this.answered.add(event.toolCallId);
    this.out.push({ type: "tool-output-error", toolCallId: event.toolCallId, errorText: errorTextOf(event.error) });
  }

  /**
   * A node finished, so its model calls did. A run that paused at interrupt() reports its interrupts
   * as an update: each becomes a `data-interrupt` part `{ id, value }`, for the UI to ask and answer
   * (the answer is the next request's resume value).
   */
  private acceptUpdate(update: unknown): void {
    this.closeCalls();
    if (typeof update !== "object" || update === null) return;
    const interrupts = (update as Record<string, unknown>)[INTERRUPT];
    if (!Array.isArray(interrupts)) return;
    for (const interrupt of interrupts as Interrupt[]) {
      this.startStep();
      this.out.push({ type: "data-interrupt", id: interrupt.id, data: { id: interrupt.id, value: interrupt.value } });
    }
  }

  /** A custom-mode write `{ type, id?, data, transient? }` becomes a `data-<type>` part; other writes are not for the UI. */
  private acceptCustom(value: unknown): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    const write = value as { type?: unknown; id?: unknown; data?: unknown; transient?: unknown };
    if (typeof write.type !== "string" || write.type === "" || !("data" in write)) return;
    const type = write.type.startsWith("data-") ? write.type : `data-${write.type}`;
    const chunk: UIMessageChunk = { type: type as `data-${string}`, data: write.data };
    if (typeof write.id === "string") chunk.id = write.id;
    if (write.transient === true) chunk.transient = true;
    this.out.push(chunk);
  }

  /** Send a tool call's complete input once (creating its `tool-<name>` part if nothing streamed it). */
  private announce(toolCallId: string, toolName: string, input: unknown): void {
    if (this.announced.has(toolCallId)) return;
    this.announced.add(toolCallId);
    this.startStep();
    this.out.push({ type: "tool-input-available", toolCallId, toolName, input });
  }

  private answer(toolCallId: string, toolName: string, message: ToolMessage): void {
    if (this.answered.has(toolCallId)) return;
    this.announce(toolCallId, toolName, undefined);
    this.answered.add(toolCallId);
    if (message.status === "error") this.out.push({ type: "tool-output-error", toolCallId, errorText: message.text });
    else this.out.push({ type: "tool-output-available", toolCallId, output: this.toolOutput(message) });
  }

  /** End the open parts of every model call; their tool calls' inputs are complete now. */
  private closeCalls(): void {
    for (const callId of this.openCalls) {
      const call = this.calls.get(callId)!;
      if (call.reasoningId !== undefined) this.out.push({ type: "reasoning-end", id: call.reasoningId });
      if (call.textId !== undefined) this.out.push({ type: "text-end", id: call.textId });
      call.reasoningId = undefined;
      call.textId = undefined;
      for (const [index, toolCall] of call.toolCalls) {
        if (toolCall.name === undefined) continue;
        const toolCallId = toolCall.id ?? `${callId}:tool:${index}`;
        if (this.announced.has(toolCallId)) continue;
        if (!toolCall.started) this.out.push({ type: "tool-input-start", toolCallId, toolName: toolCall.name });
        this.announced.add(toolCallId);
        try {
          const input: unknown = toolCall.args === "" ? {} : JSON.parse(toolCall.args);
          this.out.push({ type: "tool-input-available", toolCallId, toolName: toolCall.name, input });
        } catch {
          this.out.push({ type: "tool-input-error", toolCallId, toolName: toolCall.name, input: toolCall.args, errorText: `The model's arguments for "${toolCall.name}" are not JSON.` });
        }
      }
      call.toolCalls.clear();
    }
    this.openCalls.clear();
  }

  private startStep(): void {
    if (this.stepOpen) return;
    this.stepOpen = true;
    this.out.push({ type: "start-step" });
  }

  private finishStep(): void {
    if (!this.stepOpen) return;
    this.stepOpen = false;
    this.callsInStep.clear();
    this.out.push({ type: "finish-step" });
  }
}

/** The mode and payload of one item of a run stream. */
function readItem(item: unknown): { mode: StreamMode; payload: unknown } {
  if (Array.isArray(item)) {
    if (item.length === 3 && Array.isArray(item[0]) && isMode(item[1])) return { mode: item[1], payload: item[2] };
    if (item.length === 2 && isMode(item[0])) return { mode: item[0], payload: item[1] };
    // streamMode: "messages" alone yields [message, metadata].
    if (item.length === 2 && (item[0] instanceof AIMessageChunk || item[0] instanceof Message)) return { mode: "messages", payload: item };
  }
  throw new WeftError(
    "INVALID_INPUT",
    `toUIMessageStream() got ${describeValue(item)} from the stream; pass graph.stream(input, { streamMode: ["messages", "custom", "tools"] }), whose items are [mode, chunk].`,
  );
}

function isMode(value: unknown): value is StreamMode {
  return typeof value === "string" && (STREAM_MODES as readonly string[]).includes(value);
}

function errorTextOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") return (error as { message: string }).message;
  return String(error);
}
