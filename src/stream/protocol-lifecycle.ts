// The `lifecycle` events of a run's namespaces, shared by `streamEvents` v3 and the protocol served over
// HTTP: a namespace "started" when its first event comes (with the tool call that spawned it, as
// LangGraph's `cause`), "completed", "failed" or "interrupted" when the task that ran it reports its
// result, and whatever the run ended as for the ones still open at the end.
import type { PendingEvent } from "./protocol-events.js";
import type { LifecycleCause, LifecycleStatus, Namespace } from "./run-event-types.js";

/** The `data` of a lifecycle event. */
export interface LifecycleData {
  event: LifecycleStatus;
  graph_name: string;
  cause?: LifecycleCause;
  error?: string;
}

/** A lifecycle event to log, at `namespace`. */
export interface LifecycleChange {
  namespace: Namespace;
  data: LifecycleData;
}

/** A task running in a graph: the tool call it was sent (LangGraph's shapes) and the tool calls running in it now. */
interface RunningTask {
  readonly sentCall: string | undefined;
  readonly openCalls: Set<string>;
}

const key = (namespace: Namespace) => namespace.join("|");
const hasPrefix = (namespace: Namespace, prefix: Namespace) => prefix.length <= namespace.length && prefix.every((segment, index) => namespace[index] === segment);
const graphNameOf = (namespace: Namespace) => {
  if (namespace.length === 0) return "root";
  const segment = namespace.at(-1)!;
  return segment.includes(":") ? segment.slice(0, segment.indexOf(":")) : segment;
};
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export class NamespaceLifecycles {
  private readonly status = new Map<string, { namespace: Namespace; status: LifecycleStatus }>();
  /** The running tasks of each graph namespace, by task id. */
  private readonly tasks = new Map<string, Map<string, RunningTask>>();

  /** The root's "running". */
  start(): LifecycleChange {
    return this.set([], "running");
  }

  /** The namespaces `event` opens ("started", before it is logged). */
  before(event: PendingEvent): LifecycleChange[] {
    const changes: LifecycleChange[] = [];
    for (let length = 1; length <= event.namespace.length; length++) {
      const prefix = event.namespace.slice(0, length);
      if (this.status.has(key(prefix))) continue;
      const cause = this.causeOf(prefix);
      changes.push(this.set(prefix, "started", cause === undefined ? {} : { cause }));
    }
    return changes;
  }

  /** The namespaces `event` ends (after it is logged): a task's result ends the namespaces below that task. */
  after(event: PendingEvent): LifecycleChange[] {
    if (event.method === "tools") this.trackToolCall(event);
    if (event.method !== "tasks" || !isRecord(event.data)) return [];
    const task = event.data as { id?: unknown; name?: unknown; input?: unknown; result?: unknown; error?: unknown; interrupts?: unknown };
    const id = String(task.id);
    let running = this.tasks.get(key(event.namespace));
    if (!("result" in task)) {
      if (running === undefined) this.tasks.set(key(event.namespace), (running = new Map()));
      running.set(id, { sentCall: sentToolCall(task.input), openCalls: new Set() });
      return [];
    }
    running?.delete(id);
    // The task ended: it completed, failed, or paused at an interrupt().
    const status: LifecycleStatus = task.error != null ? "failed" : Array.isArray(task.interrupts) && task.interrupts.length > 0 ? "interrupted" : "completed";
    const child = [...event.namespace, `${String(task.name)}:${id}`];
    const changes: LifecycleChange[] = [];
    for (const entry of [...this.status.values()]) {
      if (entry.status === "started" && hasPrefix(entry.namespace, child)) changes.push(this.set(entry.namespace, status));
    }
    return changes;
  }

  /** The run ended: every namespace still open ends as it did, then the root. */
  end(status: "completed" | "interrupted" | "failed", error?: string): LifecycleChange[] {
    const changes: LifecycleChange[] = [];
    for (const entry of [...this.status.values()]) if (entry.namespace.length > 0 && entry.status === "started") changes.push(this.set(entry.namespace, status));
    changes.push(this.set([], status, error === undefined ? {} : { error }));
    return changes;
  }

  private set(namespace: Namespace, status: LifecycleStatus, extra: { cause?: LifecycleCause; error?: string } = {}): LifecycleChange {
    this.status.set(key(namespace), { namespace, status });
    return { namespace, data: { event: status, graph_name: graphNameOf(namespace), ...extra } };
  }

  /** A tool call runs in one task of its graph: the task it was sent to, else the only task running there. */
  private trackToolCall(event: PendingEvent): void {
    const data = event.data as { event?: string; tool_call_id?: string };
    const callId = data.tool_call_id;
    const running = this.tasks.get(key(event.namespace));
    if (running === undefined || callId === undefined || callId === "") return;
    if (data.event === "tool-started") {
      const task = [...running.values()].find((candidate) => candidate.sentCall === callId) ?? (running.size === 1 ? [...running.values()][0] : undefined);
      task?.openCalls.add(callId);
    } else if (data.event === "tool-finished" || data.event === "tool-error") {
      for (const task of running.values()) task.openCalls.delete(callId);
    }
  }

  /**
   * LangGraph's rule (`deriveToolCallCause`): a namespace `node:<taskId>` was spawned by the tool call its
   * task runs. Weft names it when the namespace opens while that task runs exactly one tool call — a
   * sub-agent a tool invokes — so neither a plain tool's answer nor a task running several calls at once
   * (whose sub-runs share one namespace) is given a cause it may not have.
   */
  private causeOf(namespace: Namespace): LifecycleCause | undefined {
    const segment = namespace.at(-1)!;
    if (!segment.includes(":")) return undefined;
    const task = this.tasks.get(key(namespace.slice(0, -1)))?.get(segment.slice(segment.indexOf(":") + 1));
    if (task === undefined || task.openCalls.size !== 1) return undefined;
    return { type: "toolCall", tool_call_id: [...task.openCalls][0]! };
  }
}

/** The tool call a task was sent, in the two input shapes LangGraph reads: `{ tool_call: { id } }` or a list of tool calls. */
function sentToolCall(input: unknown): string | undefined {
  if (isRecord(input) && isRecord(input.tool_call)) return typeof input.tool_call.id === "string" ? input.tool_call.id : undefined;
  if (Array.isArray(input)) {
    const call = input.find((item): item is { id: string } => isRecord(item) && typeof item.id === "string");
    return call?.id;
  }
  return undefined;
}
