// A tool that is not Weft's (a LangChain tool, or any object with a name and invoke()) run inside a
// Weft tool, so its calls report to `tools` mode like Weft's own: on_tool_start, on_tool_event for
// what a LangChain tool streams (its callbacks' handleToolEvent), on_tool_end / on_tool_error.
// The tool checks its own input, so the Weft tool around it takes any arguments object.
import { type Tool, type ToolConfig, tool } from "../index.js";

/** What ToolNode needs of a tool it did not make. */
export interface ForeignTool {
  readonly name: string;
  invoke(input: any, config?: any): Promise<unknown>;
}

/** `foreign` as a Weft tool of the same name; given a tool call, it answers as `foreign` does. */
export function foreignTool(foreign: ForeignTool): Tool<Record<string, unknown>, unknown> {
  return tool((args, config) => streamEvents(foreign, args, config), { name: foreign.name });
}

/**
 * Call `foreign` with the tool call (so a LangChain tool answers with its own ToolMessage or
 * Command) and yield what it streams as it comes; returns its result.
 */
async function* streamEvents(foreign: ForeignTool, args: Record<string, unknown>, config: ToolConfig): AsyncGenerator<unknown, unknown, undefined> {
  const events: unknown[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  // A LangChain callback handler, duck-typed: LangChain awaits it (awaitHandlers), so events come before the result.
  const handler = {
    name: "weft_tool_events",
    awaitHandlers: true,
    handleToolEvent(chunk: unknown) {
      events.push(chunk);
      wake?.();
    },
  };
  // A node's config carries an array of handlers (Weft's messages-mode one); LangChain's own forms are passed on as they are.
  const given = (config as { callbacks?: unknown }).callbacks;
  const callbacks = Array.isArray(given) ? [...(given as unknown[]), handler] : given === undefined ? [handler] : given;
  const input = config.toolCall === undefined ? args : { ...config.toolCall, type: "tool_call" };
  const result = foreign.invoke(input, { ...config, callbacks }).finally(() => {
    settled = true;
    wake?.();
  });
  result.catch(() => {});
  for (;;) {
    while (events.length > 0) yield events.shift();
    if (settled) return await result;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
}
