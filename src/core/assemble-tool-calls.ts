// Joining the streamed fragments of tool calls into whole calls.
import { WeftError, describeError } from "../errors.js";
import type { ToolCall } from "./message-fields.js";
import type { ToolCallChunk } from "./messages.js";

/** Join streamed tool-call fragments by index into complete calls with parsed arguments. */
export function assembleToolCalls(chunks: readonly ToolCallChunk[]): ToolCall[] {
  const byIndex = new Map<number, { id: string; name: string; args: string }>();
  for (const chunk of chunks) {
    let call = byIndex.get(chunk.index);
    if (call === undefined) {
      call = { id: "", name: "", args: "" };
      byIndex.set(chunk.index, call);
    }
    if (chunk.id) call.id = chunk.id;
    if (chunk.name) call.name += chunk.name;
    if (chunk.args) call.args += chunk.args;
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, call]) => ({ id: call.id, name: call.name, args: parseArguments(call.args, call.name) }));
}

function parseArguments(text: string, name: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch (error) {
    throw new WeftError("MODEL_CALL", `The model sent arguments for tool "${name}" that are not valid JSON: ${describeError(error)}`, {
      details: { arguments: text },
    });
  }
}
