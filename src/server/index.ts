// weft/server: serve compiled graphs over HTTP/SSE with the LangGraph server's API.
export { createHandler, type HandlerOptions, type Identity, type RetentionOptions, type WeftHandler } from "./handler.js";
export type { MultitaskStrategy, RecordStore, RowChange, RunQuery, RunRow, ThreadQuery, ThreadRow, PruneBefore } from "./record-store.js";
export { MemoryRecordStore } from "./memory-record-store.js";
export { SqliteRecordStore } from "./sqlite-record-store.js";
export { PostgresRecordStore, type PostgresRecordStoreOptions } from "./postgres-record-store.js";
export { StoreRunQueue, type RunProcessor, type RunQueue, type StoreRunQueueOptions } from "./run-queue.js";
export { createBullmqRunQueue, type BullmqRunQueueOptions } from "./bullmq-run-queue.js";
export { serve, type RunningServer, type ServeOptions } from "./node-adapter.js";
export type { EventLog, EventLogBounds, LoggedEvent, NewEvent, ReadFrom, RecordKind } from "./event-log.js";
export { MemoryEventLog, type MemoryEventLogOptions } from "./memory-event-log.js";
export { SqliteEventLog, type SqliteEventLogOptions } from "./sqlite-event-log.js";
export { createPostgresEventLog, type PostgresEventLogOptions } from "./postgres-event-log.js";
export { createRedisEventLog, type RedisEventLogOptions } from "./redis-event-log.js";
export type { CorsOptions } from "./request-guard.js";
export { SERVER_STREAM_MODES, type ServerStreamMode } from "./run-request.js";
export type { RunRecord, RunStatus, ThreadRecord } from "./record-store.js";
export { formatServerSentEvent, eventStreamResponse, type ServerSentEvent, type EventStreamResponseOptions } from "./sse.js";
export { demoPage } from "./demo-page.js";
