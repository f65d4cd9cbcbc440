// useChat (@ai-sdk/react) against `weft serve`, with no route of your own: point its transport at
// `<server>/ai-sdk/<assistant id>`. A turn is an ordinary server run on the thread named by the chat
// id (durable, leased, cancellable, on any instance), whose worker logs the AI SDK's UI message chunks
// (ui-message-events.ts); the response reads them from the run's log, so useChat's `resume: true`
// replays an unfinished answer after a reload, from any instance.
//   POST /ai-sdk/:assistant_id                   a turn: submit-message, regenerate-message, or { resume } for an interrupt
//   GET  /ai-sdk/:assistant_id/:chat_id/stream   the chat's unfinished answer from its start (204 when none)
//   POST /ai-sdk/:assistant_id/:chat_id/stop     cancel the chat's unfinished answer (useChat's stop() only closes its request)
//   GET  /ai-sdk/:assistant_id/:chat_id/messages the chat's saved messages as UI messages (useChat's initial `messages`)
import { describeValue } from "../errors.js";
import type { CompiledGraph } from "../graph/compiled-graph.js";
import type { LoggedEvent } from "./event-log.js";
import type { Message } from "../core/messages.js";
import { fromUIMessages } from "../ui/ai-sdk/from-ui-messages.js";
import { toUIMessages } from "../ui/ai-sdk/to-ui-messages.js";
import type { UIMessage, UIMessageChunk } from "../ui/ai-sdk/ui-message-types.js";
import { createUIMessageStreamResponse } from "../ui/ai-sdk/to-ui-message-stream.js";
import type { EventLog } from "./event-log.js";
import { httpError, jsonResponse, statusOf } from "./http-error.js";
import type { RecordStore, RunRow, ThreadRow } from "./record-store.js";
import { isObject, objectBody, optionalEnum } from "./request-fields.js";
import { readJsonBody } from "./request-guard.js";
import type { RunManager } from "./run-manager.js";
import type { RunRequest } from "./run-request.js";
import { UI_EVENT } from "./ui-message-events.js";

/** What the chat routes use of the handler. */
export interface ChatRouteContext {
  store: RecordStore;
  log: EventLog;
  runs: RunManager;
  maxBodyBytes: number;
  /** The thread, or 404 when it is missing or another identity's. */
  threadOf(threadId: string, owner: string | null): Promise<ThreadRow>;
  /** A new thread record for `threadId`, owned by `owner`. */
  newThread(threadId: string, metadata: Record<string, unknown>, owner: string | null): ThreadRow;
  /** Throws 503 while the server shuts down. */
  checkOpen(): void;
}

type ChatRoute = (request: Request, parameters: string[], url: URL, owner: string | null) => Promise<Response>;

const CHAT_ID = /^[\w.:-]{1,200}$/;

/** Milliseconds the stop route waits for the run to end. */
const STOP_WAIT_MS = 30_000;

/** The routes, in the handler's [method, pattern, route] form. */
export function aiSdkChatRoutes(context: ChatRouteContext): Array<[string, RegExp, ChatRoute]> {
  return [
    ["POST", /^\/ai-sdk\/([^/]+)$/, (request, [assistantId], _url, owner) => postTurn(context, request, assistantId!, owner)],
    ["GET", /^\/ai-sdk\/([^/]+)\/([^/]+)\/stream$/, (request, [assistantId, chatId], _url, owner) => resumeTurn(context, request, assistantId!, chatId!, owner)],
    ["POST", /^\/ai-sdk\/([^/]+)\/([^/]+)\/stop$/, (_request, [assistantId, chatId], _url, owner) => stopTurn(context, assistantId!, chatId!, owner)],
    ["GET", /^\/ai-sdk\/([^/]+)\/([^/]+)\/messages$/, (_request, [assistantId, chatId], _url, owner) => savedMessages(context, assistantId!, chatId!, owner)],
  ];
}

async function postTurn(context: ChatRouteContext, request: Request, assistantId: string, owner: string | null): Promise<Response> {
  context.checkOpen();
  const { graph, graphId } = await context.runs.assistant(assistantId, owner);
  const body = objectBody(await readJsonBody(request, context.maxBodyBytes), ["id", "messages", "trigger", "messageId", "resume"]);
  if (typeof body.id !== "string" || !CHAT_ID.test(body.id)) throw httpError(422, "`id` (the chat id useChat sends) must be 1-200 letters, digits, '-', '_', '.' or ':'.", "id");
  if (!Array.isArray(body.messages)) throw httpError(422, `\`messages\` must be the array of UI messages useChat sends, not ${describeValue(body.messages)}.`, "messages");
  const trigger = optionalEnum(body, "trigger", ["submit-message", "regenerate-message"] as const) ?? "submit-message";
  const messages = fromUIMessagesOr422(body.messages as UIMessage[]);
  const chatId = body.id;
  if (graph.checkpointer === undefined) {
    // Nothing is kept between turns: every turn runs on the history useChat posts.
    if (body.resume !== undefined) throw httpError(422, `\`resume\` answers an interrupt of a saved thread, so assistant "${assistantId}" needs a checkpointer.`, "resume");
    return respond(context, request, await context.runs.create(chatRequest(assistantId, { messages }), null, owner));
  }
  if (await context.store.insertThread(context.newThread(chatId, { graph_id: graphId, assistant_id: assistantId }, owner))) {
    // A new chat: its thread starts with what the browser has.
    if (body.resume !== undefined) throw httpError(422, `Chat ${chatId} has no interrupt to resume; send its first message without \`resume\`.`, "resume");
    return respond(context, request, await context.runs.create(chatRequest(assistantId, { messages }), chatId, owner));
  }
  await context.threadOf(chatId, owner);
  if (body.resume !== undefined) {
    return respond(context, request, await context.runs.create(chatRequest(assistantId, null, { command: { resume: body.resume } }), chatId, owner));
  }
  const last = messages.at(-1);
  if (last === undefined || last.role !== "user") throw httpError(422, "`messages` must end with the user's message.", "messages");
  if (trigger === "regenerate-message") {
    // useChat dropped the answer to regenerate: run again from the checkpoint where the question was added.
    const checkpointId = await checkpointAdding(graph, chatId, last.id);
    if (checkpointId === undefined) throw httpError(422, `Message ${last.id} is not in chat ${chatId}'s saved history, so there is no answer of it to regenerate.`, "messages");
    return respond(context, request, await context.runs.create(chatRequest(assistantId, null, { checkpointId }), chatId, owner));
  }
  // The thread keeps the history: only the new message goes in (addMessages replaces one of the same id).
  return respond(context, request, await context.runs.create(chatRequest(assistantId, { messages: [last] }), chatId, owner));
}

async function resumeTurn(context: ChatRouteContext, request: Request, assistantId: string, chatId: string, owner: string | null): Promise<Response> {
  await context.runs.assistant(assistantId, owner);
  // No thread (a chat on a graph without a checkpointer, or another identity's): no answer to resume.
  const thread = await threadOrNothing(context, chatId, owner);
  const runId = thread?.currentRunId ?? null;
  const row = runId === null ? undefined : await context.store.getRun(runId);
  if (row === undefined || row.request.format !== "ui-message" || !["pending", "running"].includes(row.run.status)) return new Response(null, { status: 204 });
  return respond(context, request, row);
}

async function stopTurn(context: ChatRouteContext, assistantId: string, chatId: string, owner: string | null): Promise<Response> {
  await context.runs.assistant(assistantId, owner);
  const thread = await context.threadOf(chatId, owner);
  const runId = thread.currentRunId;
  if (runId !== null) {
    await context.runs.cancel(runId);
    // Answers once the run has stopped (or after STOP_WAIT_MS), so the page's next turn finds the thread free.
    await context.runs.waitForEnd(runId, AbortSignal.timeout(STOP_WAIT_MS));
  }
  return new Response(null, { status: 204 });
}

async function savedMessages(context: ChatRouteContext, assistantId: string, chatId: string, owner: string | null): Promise<Response> {
  const { graph } = await context.runs.assistant(assistantId, owner);
  // A chat that has no thread yet (or another identity's) has no messages.
  const thread = await threadOrNothing(context, chatId, owner);
  if (thread === undefined || graph.checkpointer === undefined) return jsonResponse([]);
  const values = (await graph.getState({ configurable: { thread_id: chatId } })).values as { messages?: unknown };
  return jsonResponse(Array.isArray(values.messages) ? toUIMessages(values.messages as Message[]) : []);
}

async function threadOrNothing(context: ChatRouteContext, chatId: string, owner: string | null): Promise<ThreadRow | undefined> {
  return context.threadOf(chatId, owner).catch((error: unknown) => {
    if (statusOf(error) === 404) return undefined;
    throw error;
  });
}

/** The turn's UI message stream, read from its run's log; a client that leaves does not stop the run (it can resume). */
function respond(context: ChatRouteContext, request: Request, row: RunRow): Response {
  const runId = row.run.run_id;
  const stopReading = new AbortController();
  const events = uiChunksOf(context.log.read(runId, { start: true }, AbortSignal.any([stopReading.signal, request.signal])), row)[Symbol.asyncIterator]();
  const chunks = new ReadableStream<UIMessageChunk>(
    {
      async pull(controller) {
        let result: IteratorResult<UIMessageChunk>;
        try {
          result = await events.next();
        } catch (error) {
          // The log failed (a Redis connection lost, events past the retention bound): say so, then end.
          controller.enqueue({ type: "error", errorText: errorText(error) });
          return controller.close();
        }
        if (result.done) return controller.close();
        controller.enqueue(result.value);
      },
      cancel() {
        stopReading.abort();
        void events.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  return createUIMessageStreamResponse(chunks, { headers: { "Content-Location": `/threads/${row.run.thread_id ?? ""}/runs/${runId}` } });
}

/**
 * The UI chunks of a run's log: `start`, every logged chunk, and an
 * `error` or `abort` for a run that ended before its worker could finish the message (its attempts
 * used up, cancelled while it waited).
 */
async function* uiChunksOf(events: AsyncIterable<LoggedEvent>, row: RunRow): AsyncIterable<UIMessageChunk> {
  // An answer to an interrupt continues the message that asked (its tool part gets the output), so its
  // start names no new message; any other turn is a new message, named after its run.
  yield row.request.command !== undefined ? { type: "start" } : { type: "start", messageId: row.run.run_id };
  let ended = false;
  for await (const event of events) {
    if (event.event === UI_EVENT) {
      const chunk = event.data as UIMessageChunk;
      if (chunk.type === "finish" || chunk.type === "error" || chunk.type === "abort") ended = true;
      yield chunk;
    } else if (event.event === "error" && !ended) {
      ended = true;
      const data = event.data as { error?: string; message?: string };
      yield data.error === "ABORTED" ? { type: "abort", reason: data.message } : { type: "error", errorText: data.message ?? "The run failed." };
    }
  }
}

/** The run of a chat turn: LangGraph's defaults, logging UI chunks; a second turn while one runs is refused (409). */
function chatRequest(assistantId: string, input: Record<string, unknown> | null, options: { command?: RunRequest["command"]; checkpointId?: string } = {}): RunRequest {
  return {
    assistantId,
    input,
    command: options.command,
    streamModes: [],
    subgraphs: false,
    resumable: true,
    onDisconnect: "continue",
    routeMessagesByTag: false,
    configurable: options.checkpointId === undefined ? {} : { checkpoint_id: options.checkpointId },
    tags: [],
    recursionLimit: undefined,
    metadata: {},
    interruptBefore: undefined,
    interruptAfter: undefined,
    multitaskStrategy: "reject",
    onCompletion: "delete",
    ifNotExists: "reject",
    durability: undefined,
    format: "ui-message",
  };
}

/** The oldest checkpoint of the thread's current branch that holds message `messageId`: where the message was added. */
async function checkpointAdding(graph: CompiledGraph<any, any>, threadId: string, messageId: string | undefined): Promise<string | undefined> {
  if (messageId === undefined) return undefined;
  let found: string | undefined;
  for await (const snapshot of graph.getStateHistory({ configurable: { thread_id: threadId } })) {
    const messages = (snapshot.values as { messages?: unknown }).messages;
    const holds = Array.isArray(messages) && messages.some((message) => isObject(message) && message.id === messageId);
    if (!holds) {
      if (found !== undefined) break;
      continue;
    }
    found = (snapshot.config as { configurable?: { checkpoint_id?: string } }).configurable?.checkpoint_id;
  }
  return found;
}

function fromUIMessagesOr422(messages: UIMessage[]) {
  try {
    return fromUIMessages(messages);
  } catch (error) {
    throw httpError(422, errorText(error), "messages");
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
