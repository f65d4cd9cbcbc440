// Interrupts: a node's request to pause the run, as the runtime raises it and a checkpoint keeps it.
import { WeftError } from "../errors.js";
import { taskId } from "./task-id.js";

/** A pause requested by a node: what it asked (`value`) and the id a resume can answer it by. */
export interface Interrupt<Value = unknown> {
  readonly value: Value;
  readonly id: string;
}

/** The key under which a paused run reports its interrupts (in results and in the stream). */
export const INTERRUPT = "__interrupt__";

/** Thrown by interrupt() and caught by the runtime: it is a pause, not a failure. */
export class GraphInterrupt extends WeftError {
  constructor(readonly interrupts: Interrupt[]) {
    super("INTERRUPTED", `The run paused at ${interrupts.length} interrupt(s); resume it with new Command({ resume }).`, {
      details: { interrupts },
    });
  }
}

export function isGraphInterrupt(error: unknown): error is GraphInterrupt {
  return WeftError.isInstance(error) && error.code === "INTERRUPTED" && Array.isArray((error as GraphInterrupt).interrupts);
}

/** The id of the `index`-th interrupt() call of a task: stable across re-runs of the task. */
export function interruptId(taskIdentifier: string, index: number): string {
  return taskId(taskIdentifier, "interrupt", index);
}

