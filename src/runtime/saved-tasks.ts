// Reading a checkpoint's pending writes back into what each task had done before the run stopped:
// finished (its writes and routes), paused at an interrupt, or answered with resume values.
import { ERROR_CHANNEL, INTERRUPT_CHANNEL, type PendingWrite, RESUME_CHANNEL, ROUTES_CHANNEL } from "../core/checkpoint-format.js";
import type { Send } from "../core/send.js";
import type { Write } from "../core/task.js";
import type { Interrupt } from "../core/interrupt.js";

/** What a failed task left: its error's code and message (the task runs again when the thread continues). */
export interface SavedError {
  readonly code: string;
  readonly message: string;
}

export interface SavedResume {
  readonly id: string;
  readonly value: unknown;
}

export interface SavedTask {
  /** State writes of the task, once it finished. */
  writes: Write[];
  /** Where the task routed; present only when the task finished (the routes write comes last). */
  routes: Array<string | Send> | undefined;
  /** Interrupts raised and not yet answered. */
  interrupts: Interrupt[];
  /** Answers to the task's interrupts, in order. */
  resume: SavedResume[];
  /** The error of the task's last failed attempt, unless it finished since. */
  error: SavedError | undefined;
}

export function readSavedTasks(pendingWrites: readonly PendingWrite[]): Map<string, SavedTask> {
  const tasks = new Map<string, SavedTask>();
  for (const [taskId, channel, value] of pendingWrites) {
    let task = tasks.get(taskId);
    if (task === undefined) tasks.set(taskId, (task = { writes: [], routes: undefined, interrupts: [], resume: [], error: undefined }));
    if (channel === ROUTES_CHANNEL) task.routes = value as Array<string | Send>;
    else if (channel === INTERRUPT_CHANNEL) task.interrupts = value as Interrupt[];
    else if (channel === RESUME_CHANNEL) task.resume.push(value as SavedResume);
    else if (channel === ERROR_CHANNEL) task.error = value as SavedError;
    else task.writes.push([channel, value]);
  }
  for (const task of tasks.values()) {
    if (task.routes !== undefined) {
      task.interrupts = [];
      task.error = undefined;
    }
    else {
      const answered = new Set(task.resume.map((resume) => resume.id));
      task.interrupts = task.interrupts.filter((pending) => !answered.has(pending.id));
      // Writes of a task that never finished are not kept (only finished tasks write state).
      task.writes = [];
    }
  }
  return tasks;
}
