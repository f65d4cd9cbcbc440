// What the event logs whose ids are a run's sequence numbers (1, 2, 3, ...: memory, SQLite,
// Postgres) share: where a read starts, and the errors they answer, worded alike.
import { WeftError } from "../errors.js";
import type { ReadFrom } from "./event-log.js";

/** The sequence a read `from` starts at, given the run's next sequence; 400 for an id the log never gave. */
export function startSequence(nextSequence: number, from: ReadFrom): number {
  // From the start of a log whose first events were dropped: the reader is told so (EVENTS_LOST).
  if ("start" in from) return 1;
  if ("now" in from) return nextSequence;
  const sequence = /^\d{1,15}$/.test(from.after) ? Number(from.after) : Number.NaN;
  if (!Number.isSafeInteger(sequence) || sequence >= nextSequence) {
    throw new WeftError("SERVER", `Last-Event-ID ${JSON.stringify(from.after.slice(0, 40))} is not an event id of this run; send an id the stream gave you.`, {
      details: { status: 400, field: "Last-Event-ID" },
    });
  }
  return sequence + 1;
}

/** 410 when a resume at `next` would miss events the log dropped (those before `firstSequence`). */
export function checkKept(runId: string, next: number, firstSequence: number, bounds: { maxEventsPerRun: number; maxBytesPerRun: number }): void {
  if (next < firstSequence) {
    throw new WeftError(
      "SERVER",
      `Events ${next} to ${firstSequence - 1} of run ${runId} were dropped (the log keeps ${bounds.maxEventsPerRun} events and ${bounds.maxBytesPerRun} bytes per run); resume after id ${firstSequence - 1}, or read the thread's state (GET /threads/{thread_id}/state).`,
      { details: { status: 410 } },
    );
  }
}

export function runNotFound(runId: string): WeftError {
  return new WeftError("SERVER", `No events for run ${runId}: it does not exist here or its log expired.`, { details: { status: 404 } });
}

/** An option that must be a whole number >= 1, or its default. */
export function positiveOption(value: number | undefined, fallback: number, name: string, owner: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new WeftError("INVALID_OPTIONS", `${owner} ${name} must be a whole number >= 1, not ${value}.`);
  return value;
}
