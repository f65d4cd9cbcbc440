// Human-in-the-loop: interrupt() pauses a node; the thread resumes later with Command({ resume }).
import { WeftError } from "../errors.js";
import { GraphInterrupt, interruptId } from "../core/interrupt.js";
import { taskContextOf } from "./config.js";
import { currentConfig } from "./context.js";

export { GraphInterrupt, INTERRUPT, type Interrupt, interruptId, isGraphInterrupt } from "../core/interrupt.js";

/**
 * Pause the run and hand `value` to the caller (a question, a draft to approve, ...). The thread's
 * state is saved; `graph.invoke(new Command({ resume }), config)` runs the node again from its start,
 * and this call then returns the resume value. Several calls in one node are answered in order.
 * Needs a checkpointer (`compile({ checkpointer })`) and a `thread_id`.
 *
 * Do not catch the error it throws; if you wrap it in try/catch, rethrow what you did not expect.
 *
 * @example
 * function review(state) {
 *   const verdict = interrupt({ draft: state.draft, question: "Publish?" });
 *   return { published: verdict === "yes" };
 * }
 */
export function interrupt<Resume = any, Value = unknown>(value: Value): Resume {
  const context = taskContextOf(currentConfig());
  if (context === undefined) {
    throw new WeftError("NO_CONTEXT", "interrupt() was called outside a running node (or in a graph compiled with implicitConfig: false). Call it inside a node of a graph compiled with a checkpointer.");
  }
  const scratchpad = context.scratchpad;
  if (!scratchpad.checkpointed) {
    throw new WeftError(
      "CHECKPOINT",
      "interrupt() needs a checkpointer to save the paused thread: compile the graph with compile({ checkpointer: new MemorySaver() }) " +
        'and run it with { configurable: { thread_id: "..." } }.',
    );
  }
  const id = interruptId(scratchpad.taskId, scratchpad.interruptCounter++);
  if (scratchpad.resume.has(id)) return scratchpad.resume.get(id) as Resume;
  throw new GraphInterrupt([{ value, id }]);
}
