// Reading a message's optional fields from either spelling: Weft's camelCase (`toolCalls`,
// `toolCallId`, `usage`) or LangChain's snake_case (`tool_calls`, `tool_call_id`, `usage_metadata`),
// including OpenAI-style tool calls (`{ function: { name, arguments } }`).
import { WeftError, describeError, describeValue } from "../errors.js";

/** A complete tool call requested by the model. */
export interface ToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** Token counts of one model call. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** How a tool call ended. */
export type ToolStatus = "success" | "error";

/** The optional fields of a message, in Weft's spelling. */
export interface MessageFields {
  id?: string;
  name?: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
  status?: ToolStatus;
  additionalKwargs?: Record<string, unknown>;
  responseMetadata?: Record<string, unknown>;
  usage?: Usage;
  reasoning?: string;
  artifact?: unknown;
}

/** The same fields in LangChain's spelling, as LangChain messages and the LangGraph server's dicts have them. */
export interface LangChainMessageFields {
  id?: string | null;
  name?: string;
  tool_calls?: ReadonlyArray<{ id?: string; name: string; args: Record<string, any>; type?: "tool_call" }>;
  tool_call_id?: string;
  status?: ToolStatus;
  additional_kwargs?: Record<string, unknown>;
  response_metadata?: Record<string, unknown>;
  usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number };
  artifact?: unknown;
}

/** Read the optional fields of `source`; `where` names it in errors ("Message 2"). Only fields present are set. */
export function readMessageFields(source: Record<string, unknown>, where: string): MessageFields {
  const fields: MessageFields = {};
  const id = source.id;
  if (id !== undefined && id !== null) {
    if (typeof id !== "string") throw bad(`${where} has id ${describeValue(id)}; a message id must be a string.`);
    fields.id = id;
  }
  const name = source.name;
  if (name !== undefined && name !== null) {
    if (typeof name !== "string") throw bad(`${where} has name ${describeValue(name)}; a message name must be a string.`);
    fields.name = name;
  }
  const toolCalls = source.toolCalls ?? source.tool_calls;
  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls)) throw bad(`${where} has tool calls ${describeValue(toolCalls)}; give an array of { id, name, args }.`);
    fields.toolCalls = Array.from(toolCalls as unknown[], (call, index) => readToolCall(call, `${where}, tool call ${index},`));
  }
  const toolCallId = source.toolCallId ?? source.tool_call_id;
  if (toolCallId !== undefined && toolCallId !== null) {
    if (typeof toolCallId !== "string") throw bad(`${where} has tool_call_id ${describeValue(toolCallId)}; it must be the string id of a tool call.`);
    fields.toolCallId = toolCallId;
  }
  const status = source.status;
  if (status !== undefined && status !== null) {
    if (status !== "success" && status !== "error") throw bad(`${where} has status ${describeValue(status)}; use "success" or "error".`);
    fields.status = status;
  }
  const additionalKwargs = readRecord(source.additionalKwargs ?? source.additional_kwargs, `${where} additional_kwargs`);
  if (additionalKwargs !== undefined && Object.keys(additionalKwargs).length > 0) fields.additionalKwargs = additionalKwargs;
  const responseMetadata = readRecord(source.responseMetadata ?? source.response_metadata, `${where} response_metadata`);
  if (responseMetadata !== undefined) fields.responseMetadata = responseMetadata;
  const usage = readUsage(source.usage ?? source.usage_metadata, where);
  if (usage !== undefined) fields.usage = usage;
  const reasoning = source.reasoning;
  if (reasoning !== undefined && reasoning !== null) {
    if (typeof reasoning !== "string") throw bad(`${where} has reasoning ${describeValue(reasoning)}; reasoning must be a string.`);
    fields.reasoning = reasoning;
  }
  if (source.artifact !== undefined) fields.artifact = source.artifact;
  return fields;
}

/** One tool call in Weft's, LangChain's (`type: "tool_call"`) or OpenAI's (`function.arguments`) form. */
export function readToolCall(call: unknown, where: string): ToolCall {
  if (typeof call !== "object" || call === null) throw bad(`${where} is ${describeValue(call)}; a tool call is { id, name, args }.`);
  const fields = call as Record<string, unknown>;
  const openAIFunction = fields.function as { name?: unknown; arguments?: unknown } | undefined;
  const name = openAIFunction?.name ?? fields.name;
  if (typeof name !== "string" || name === "") throw bad(`${where} has no tool name; give { id, name, args }.`);
  const rawArgs = openAIFunction !== undefined ? openAIFunction.arguments : fields.args;
  const id = fields.id;
  if (id !== undefined && id !== null && typeof id !== "string") throw bad(`${where} has id ${describeValue(id)}; a tool call id must be a string.`);
  return { id: id ?? "", name, args: readArgs(rawArgs, `${where} (tool "${name}")`) };
}

function readArgs(args: unknown, where: string): Record<string, unknown> {
  if (args === undefined || args === null || args === "") return {};
  if (typeof args === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(args);
    } catch (error) {
      throw bad(`${where} has arguments that are not valid JSON (${describeError(error)}); send a JSON object.`);
    }
    return readArgs(parsed, where);
  }
  if (typeof args !== "object" || Array.isArray(args)) throw bad(`${where} has args ${describeValue(args)}; args must be an object.`);
  return args as Record<string, unknown>;
}

function readRecord(value: unknown, where: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw bad(`${where} is ${describeValue(value)}; it must be an object.`);
  return value as Record<string, unknown>;
}

function readUsage(value: unknown, where: string): Usage | undefined {
  const usage = readRecord(value, `${where} usage`);
  if (usage === undefined) return undefined;
  const count = (camel: string, snake: string): number => {
    const given = usage[camel] ?? usage[snake] ?? 0;
    if (typeof given !== "number" || !Number.isFinite(given)) throw bad(`${where} has usage ${camel} ${describeValue(given)}; token counts are numbers.`);
    return given;
  };
  const inputTokens = count("inputTokens", "input_tokens");
  const outputTokens = count("outputTokens", "output_tokens");
  const total = usage.totalTokens ?? usage.total_tokens;
  return { inputTokens, outputTokens, totalTokens: total === undefined ? inputTokens + outputTokens : count("totalTokens", "total_tokens") };
}

function bad(message: string): WeftError {
  return new WeftError("INVALID_MESSAGES", message);
}
