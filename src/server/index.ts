// weft/server: serve compiled graphs over HTTP/SSE with the LangGraph server's API.
export { createHandler, type HandlerOptions, type WeftHandler } from "./handler.js";
export { serve, type RunningServer, type ServeOptions } from "./node-adapter.js";
export type { EventLog, LoggedEvent, ReadFrom, RecordKind } from "./event-log.js";
export { MemoryEventLog, type MemoryEventLogOptions } from "./memory-event-log.js";
export { createRedisEventLog, type RedisEventLogOptions } from "./redis-event-log.js";
export type { CorsOptions } from "./request-guard.js";
export { SERVER_STREAM_MODES, type ServerStreamMode } from "./run-request.js";
export type { RunRecord, RunStatus, ThreadRecord } from "./run-manager.js";
export { formatServerSentEvent, eventStreamResponse, type ServerSentEvent, type EventStreamResponseOptions } from "./sse.js";
export { demoPage } from "./demo-page.js";
