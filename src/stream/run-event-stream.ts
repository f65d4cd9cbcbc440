// What `graph.streamEvents(input, { version: "v3" })` returns (LangGraph.js 1.7's GraphRunStream): every
// event of a run with a sequence number, and projections of it (.messages, .values, .output, .subgraphs,
// .lifecycle, .interrupts). The run is read to its end into a log as it goes, so projections can be read
// in any order and late; memory grows with the run's events (it is freed with the stream).
import { INTERRUPT, type Interrupt } from "../core/interrupt.js";
import { ChatModelStream } from "./chat-model-stream.js";
import { EventLog } from "./event-log.js";
import { type PendingEvent, ProtocolConverter } from "./protocol-events.js";
import { type LifecycleChange, NamespaceLifecycles } from "./protocol-lifecycle.js";
import type { InterruptPayload, LifecycleEntry, MessageEvent, Namespace, ProtocolEvent } from "./run-event-types.js";

/** What the run stream reads: `graph.stream(input, { streamMode: [...], subgraphs: true })`. */
export interface RunEventSource extends AsyncIterable<unknown> {
  abort(reason?: unknown): void;
  readonly signal: AbortSignal;
}

const key = (namespace: Namespace) => namespace.join("|");
const hasPrefix = (namespace: Namespace, prefix: Namespace) => prefix.length <= namespace.length && prefix.every((segment, index) => namespace[index] === segment);
const nameOf = (segment: string) => (segment.includes(":") ? segment.slice(0, segment.indexOf(":")) : segment);

/** The shared state of one run: its logs and what the projections need. */
class RunEvents {
  readonly events = new EventLog<ProtocolEvent>();
  readonly lifecycle = new EventLog<LifecycleEntry>();
  readonly messages = new EventLog<ChatModelStream>();
  readonly subgraphs = new EventLog<SubgraphRunEventStream>();
  readonly interrupts: InterruptPayload[] = [];
  private readonly messageLogs = new Map<string, EventLog<MessageEvent>>();
  private readonly lifecycles = new NamespaceLifecycles();
  /** How many namespaces each parent has had per node name (a subgraph stream's `index`). */
  private readonly siblings = new Map<string, number>();
  private readonly latestValues = new Map<string, unknown>();
  private readonly outputs = new Map<string, Array<{ resolve: (value: unknown) => void; reject: (error: unknown) => void }>>();
  private ended: { values: Map<string, unknown> } | { error: unknown } | undefined;
  private seq = 0;

  constructor(readonly source: RunEventSource) {}

  output(namespace: Namespace): Promise<unknown> {
    const ended = this.ended;
    if (ended !== undefined) return "error" in ended ? Promise.reject(ended.error) : Promise.resolve(ended.values.get(key(namespace)));
    return new Promise((resolve, reject) => {
      const waiting = this.outputs.get(key(namespace)) ?? [];
      waiting.push({ resolve, reject });
      this.outputs.set(key(namespace), waiting);
    });
  }

  async pump(): Promise<void> {
    const converter = new ProtocolConverter();
    this.logLifecycle(this.lifecycles.start());
    try {
      for await (const item of this.source) {
        const [namespace, mode, payload] = item as [Namespace, string, unknown];
        if (mode === "values" && isInterruptMarker(payload)) {
          for (const event of converter.flush()) this.push(event);
          for (const interrupt of payload[INTERRUPT]) {
            this.interrupts.push({ interruptId: interrupt.id, payload: interrupt.value });
            this.push({ method: "input", namespace, data: { event: "requested", interrupt_id: interrupt.id, payload: interrupt.value } });
          }
          continue;
        }
        if (mode === "updates" && typeof payload === "object" && payload !== null && INTERRUPT in payload) continue;
        for (const event of converter.convert(namespace, mode, payload)) this.push(event);
      }
      for (const event of converter.finishAll()) this.push(event);
      this.end(this.interrupts.length > 0 ? "interrupted" : "completed");
    } catch (error) {
      for (const event of converter.finishAll()) this.push(event);
      this.end("failed", error);
    }
  }

  private push(event: PendingEvent): void {
    for (const change of this.lifecycles.before(event)) this.logLifecycle(change);
    this.log(event);
    if (event.method === "values") this.latestValues.set(key(event.namespace), event.data);
    else if (event.method === "messages") this.routeMessage(event);
    for (const change of this.lifecycles.after(event)) this.logLifecycle(change);
  }

  private log(event: PendingEvent): void {
    const params: { namespace: Namespace; timestamp: number; node?: string; data: unknown } = { namespace: event.namespace, timestamp: Date.now(), data: event.data };
    if (event.node !== undefined) params.node = event.node;
    this.events.push({ type: "event", seq: this.seq++, method: event.method, params });
  }

  /** A status change; a namespace seen for the first time also gets a subgraph stream. */
  private logLifecycle({ namespace, data }: LifecycleChange): void {
    const timestamp = Date.now();
    this.lifecycle.push({ namespace, timestamp, ...data });
    this.events.push({ type: "event", seq: this.seq++, method: "lifecycle", params: { namespace, timestamp, data } });
    if (data.event !== "started") return;
    const sibling = `${key(namespace.slice(0, -1))}/${data.graph_name}`;
    const index = this.siblings.get(sibling) ?? 0;
    this.siblings.set(sibling, index + 1);
    this.subgraphs.push(new SubgraphRunEventStream(this, namespace, index));
  }

  private routeMessage(event: PendingEvent): void {
    const data = event.data as MessageEvent;
    if (data.event === "message-start") {
      if (data.role !== "ai") return;
      const log = new EventLog<MessageEvent>();
      this.messageLogs.set(data.id, log);
      this.messages.push(new ChatModelStream(data.id, event.namespace, event.node, log));
    }
    const log = this.messageLogs.get(data.id);
    if (log === undefined) return;
    log.push(data);
    if (data.event === "message-finish") {
      log.close();
      this.messageLogs.delete(data.id);
    }
  }

  private end(status: "completed" | "interrupted" | "failed", error?: unknown): void {
    const errorText = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    for (const change of this.lifecycles.end(status, errorText)) this.logLifecycle(change);
    for (const log of this.messageLogs.values()) (error === undefined ? log.close() : log.fail(error));
    this.messageLogs.clear();
    const logs = [this.events, this.lifecycle, this.messages, this.subgraphs] as const;
    if (error === undefined) {
      this.ended = { values: this.latestValues };
      for (const [namespace, waiting] of this.outputs) for (const { resolve } of waiting) resolve(this.latestValues.get(namespace));
      for (const log of logs) log.close();
    } else {
      this.ended = { error };
      for (const waiting of this.outputs.values()) for (const { reject } of waiting) reject(error);
      for (const log of logs) log.fail(error);
    }
    this.outputs.clear();
  }
}

function isInterruptMarker(value: unknown): value is { [INTERRUPT]: Interrupt[] } {
  return typeof value === "object" && value !== null && Object.keys(value).length === 1 && Array.isArray((value as Record<string, unknown>)[INTERRUPT]);
}

/**
 * The events of a run (or of one subgraph of it, see `.subgraphs`), and projections of them.
 *
 * @example
 * const run = await graph.streamEvents({ messages: [{ role: "user", content: "hi" }] }, { version: "v3" });
 * for await (const message of run.messages) {
 *   for await (const token of message.text) process.stdout.write(token);
 * }
 * const state = await run.output;
 */
export class RunEventStream<State = Record<string, unknown>> implements AsyncIterable<ProtocolEvent> {
  /** @internal */
  constructor(
    protected readonly run: RunEvents,
    /** [] for the run, the namespace of a subgraph for its stream. */
    readonly path: Namespace,
  ) {}

  /** Every event at or below this namespace, in order (`seq` 0, 1, 2, ... over the whole run). */
  [Symbol.asyncIterator](): AsyncIterator<ProtocolEvent> {
    const path = this.path;
    return this.run.events.iterate(0, (event): event is ProtocolEvent => hasPrefix(event.params.namespace, path));
  }

  /** The state after the input and after each step; awaited, the final state. */
  get values(): AsyncIterable<State> & PromiseLike<State> {
    const path = this.path;
    const events = this.run.events;
    const output = () => this.output;
    return {
      [Symbol.asyncIterator]: () => {
        const iterator = events.iterate(0, (event): event is ProtocolEvent => event.method === "values" && event.params.namespace.length === path.length && hasPrefix(event.params.namespace, path));
        return {
          next: async () => {
            const result = await iterator.next();
            return result.done ? { value: undefined, done: true } : { value: result.value.params.data as State, done: false };
          },
          return: async () => (await iterator.return!(), { value: undefined, done: true }),
        };
      },
      then: (onFulfilled, onRejected) => output().then(onFulfilled, onRejected),
    };
  }

  /** The final state (of this subgraph, for a subgraph stream); rejects when the run fails. */
  get output(): Promise<State> {
    return this.run.output(this.path) as Promise<State>;
  }

  /** The messages of model calls made by the nodes of this graph, one ChatModelStream per call. */
  get messages(): AsyncIterable<ChatModelStream> {
    return this.messagesWhere(undefined);
  }

  /** The messages of model calls made by node `node` of this graph. */
  messagesFrom(node: string): AsyncIterable<ChatModelStream> {
    return this.messagesWhere(node);
  }

  /** A stream for each namespace directly below this one (a subgraph, or a node that streamed), as it appears. */
  get subgraphs(): AsyncIterable<SubgraphRunEventStream> {
    const path = this.path;
    return this.run.subgraphs.view(0, (stream): stream is SubgraphRunEventStream => stream.path.length === path.length + 1 && hasPrefix(stream.path, path));
  }

  /** Status changes of this graph and the namespaces below it: running/started, then completed, interrupted or failed. */
  get lifecycle(): AsyncIterable<LifecycleEntry> {
    const path = this.path;
    return this.run.lifecycle.view(0, (entry): entry is LifecycleEntry => hasPrefix(entry.namespace, path));
  }

  /** True when the run stopped at an interrupt(). */
  get interrupted(): boolean {
    return this.run.interrupts.length > 0;
  }

  /** What the run's interrupt() calls asked, with the ids to resume them by. */
  get interrupts(): readonly InterruptPayload[] {
    return this.run.interrupts;
  }

  /** Stop the run: nodes see their signal aborted; the projections end with an ABORTED error. */
  abort(reason?: unknown): void {
    this.run.source.abort(reason);
  }

  /** The signal that aborts when the run is aborted. */
  get signal(): AbortSignal {
    return this.run.source.signal;
  }

  private messagesWhere(node: string | undefined): AsyncIterable<ChatModelStream> {
    const path = this.path;
    return this.run.messages.view(
      0,
      (message): message is ChatModelStream => message.namespace.length === path.length + 1 && hasPrefix(message.namespace, path) && (node === undefined || message.node === node),
    );
  }
}

/** The stream of one namespace below the root: a subgraph's run, or a node's model calls. */
export class SubgraphRunEventStream<State = Record<string, unknown>> extends RunEventStream<State> {
  /** The node name (the namespace's last segment before ":"). */
  readonly name: string;
  /** The task id (after ":"). */
  readonly taskId: string;
  /** How many earlier namespaces with the same name and parent this run had (0 for the first). */
  readonly index: number;

  /** @internal */
  constructor(run: RunEvents, path: Namespace, index: number) {
    super(run, path);
    const segment = path.at(-1)!;
    this.name = nameOf(segment);
    this.taskId = segment.includes(":") ? segment.slice(segment.indexOf(":") + 1) : "";
    this.index = index;
  }
}

/** What `streamEvents()` returns: a RunEventStream that can also be awaited (LangGraph.js returns a promise of it). */
export class AwaitableRunEventStream<State = Record<string, unknown>> extends RunEventStream<State> implements PromiseLike<RunEventStream<State>> {
  then<Result1 = RunEventStream<State>, Result2 = never>(
    onFulfilled?: ((value: RunEventStream<State>) => Result1 | PromiseLike<Result1>) | null,
    onRejected?: ((reason: unknown) => Result2 | PromiseLike<Result2>) | null,
  ): PromiseLike<Result1 | Result2> {
    // A plain (non-thenable) view of the same run, or `await` would recurse.
    return Promise.resolve(new RunEventStream<State>(this.run, this.path)).then(onFulfilled, onRejected);
  }
}

/** Start reading `source` (a graph stream with subgraphs and the modes the protocol maps) into a run stream. */
export function createRunEventStream<State>(source: RunEventSource): AwaitableRunEventStream<State> {
  const run = new RunEvents(source);
  void run.pump();
  return new AwaitableRunEventStream<State>(run, []);
}
