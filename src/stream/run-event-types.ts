// The events of `graph.streamEvents(input, { version: "v3" })`: LangGraph.js's stream protocol envelope
// (`{ type: "event", seq, method, params: { namespace, timestamp, node?, data } }`) and its payloads.

/** Where in the graph tree an event happened: [] for the root graph, ["node:<taskId>", ...] below it. */
export type Namespace = readonly string[];

/** One event of a run: a sequence number, the channel (`method`), and the payload with its routing. */
export interface ProtocolEvent<Data = unknown> {
  readonly type: "event";
  /** 0, 1, 2, ... in the order the run's events were logged. */
  readonly seq: number;
  /** "values", "updates", "messages", "tools", "custom", "tasks", "checkpoints", "lifecycle", or "input" (a node asks a human: interrupt()). */
  readonly method: ProtocolMethod;
  readonly params: {
    readonly namespace: Namespace;
    /** Milliseconds since the epoch. */
    readonly timestamp: number;
    /** The node the event belongs to, when one does. */
    readonly node?: string;
    readonly data: Data;
  };
}

export type ProtocolMethod = "values" | "updates" | "messages" | "tools" | "custom" | "tasks" | "checkpoints" | "lifecycle" | "input";

/** A content block of a streamed message, as LangChain's v1 content blocks spell it. */
export type MessageContentBlock =
  | { type: "text"; text: string }
  | { type: "reasoning"; reasoning: string }
  | { type: "tool_call_chunk"; id?: string; name?: string; args: string }
  | { type: "tool_call"; id: string; name: string; args: Record<string, unknown> };

export type MessageContentDelta = { type: "text-delta"; text: string } | { type: "reasoning-delta"; reasoning: string } | { type: "tool-call-delta"; args: string };

/** The `data` of a "messages" event: one step of one message's life, `id` naming the message. */
export type MessageEvent =
  | { event: "message-start"; id: string; role: "ai" | "tool"; tool_call_id?: string }
  | { event: "content-block-start"; id: string; index: number; content: MessageContentBlock }
  | { event: "content-block-delta"; id: string; index: number; delta: MessageContentDelta }
  | { event: "content-block-finish"; id: string; index: number; content: MessageContentBlock }
  | { event: "message-finish"; id: string; reason?: string; usage?: { input_tokens: number; output_tokens: number; total_tokens: number } };

/** The `data` of a "tools" event. */
export type ToolsEventData =
  | { event: "tool-started"; tool_call_id: string; tool_name: string; input: unknown }
  | { event: "tool-output-delta"; tool_call_id: string; delta: string }
  | { event: "tool-finished"; tool_call_id: string; output: unknown }
  | { event: "tool-error"; tool_call_id: string; message: string };

export type LifecycleStatus = "running" | "started" | "completed" | "interrupted" | "failed";

/** Why a namespace started, on its "started": the tool call whose tool ran it (a sub-agent), as LangGraph's `cause`. */
export interface LifecycleCause {
  readonly type: "toolCall";
  readonly tool_call_id: string;
}

/** An entry of `.lifecycle`: a graph (the root, or a node's namespace) changed status. */
export interface LifecycleEntry {
  readonly namespace: Namespace;
  readonly timestamp: number;
  readonly event: LifecycleStatus;
  /** "root", or the node name of the namespace. */
  readonly graph_name: string;
  /** The tool call that spawned this namespace (on "started", for a sub-agent a tool ran). */
  readonly cause?: LifecycleCause;
  /** Why the run failed (on the root's "failed"). */
  readonly error?: string;
}

/** A pause for a human: the id to resume it by and what the node passed to interrupt(). */
export interface InterruptPayload<Payload = unknown> {
  readonly interruptId: string;
  readonly payload: Payload;
}
