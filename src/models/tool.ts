// tool(): a function the model may call, with a schema that both describes it to the provider and
// checks each call's input before the function runs. Inside a run, every call reports to the
// `tools` stream mode: on_tool_start, on_tool_event (what the tool writes), on_tool_end / on_tool_error.
import { WeftError } from "../errors.js";
import { isContentBlockList } from "../core/content-blocks.js";
import { type Command, isCommand } from "../core/command.js";
import { isLangChainMessage, toMessage } from "../core/message-coercion.js";
import { Message, type ToolCall, ToolMessage } from "../core/messages.js";
import { type NodeConfig, type RunnableConfig, type TaskContext, type Writer, taskContextOf } from "../runtime/config.js";
import { currentConfig } from "../runtime/context.js";
import { isGraphInterrupt } from "../runtime/interrupt.js";
import type { ToolEvent } from "../stream/stream-types.js";
import { type StandardSchema, type ToolInputIssue, type ToolSchema, readToolSchema } from "./tool-schema.js";

/** A tool call as LangChain passes it to a tool: `tool.invoke(call)` then returns a ToolMessage. */
export type ToolCallInput = ToolCall & { type: "tool_call" };

/** The second argument of a tool's function. */
export interface ToolConfig extends RunnableConfig {
  /**
   * Streams progress: each value reaches the `tools` mode as an `on_tool_event` of this call, and the
   * `custom` mode as a node's writer does (so LangGraph code that writes from tools keeps working).
   */
  writer: Writer;
  /** The model's tool call being answered (undefined when the tool is invoked with plain arguments). */
  toolCall: ToolCall | undefined;
  /** The state of the graph the ToolNode runs in, when it runs in one. */
  state: unknown;
}

/**
 * The input type a schema describes: a Standard Schema's output type (zod: `z.infer`); for a JSON
 * Schema, whatever the function's parameter says (it is checked at run time), else an object.
 */
export type ToolInputOf<Schema> = Schema extends { readonly "~standard": { readonly types?: infer Types } }
  ? NonNullable<Types> extends { readonly output: infer Output }
    ? Output
    : any
  : [Schema] extends [undefined]
    ? Record<string, unknown>
    : any;

/** What a tool's function may return; an async generator's yields are its progress events. */
export type ToolFunction<Input, Output> = (input: Input, config: ToolConfig) => Output | Promise<Output> | AsyncGenerator<unknown, Output, undefined>;

export interface ToolOptions<Schema> {
  /** The name the model calls the tool by: 1-64 letters, digits, "_" or "-". */
  name: string;
  /** What the tool does, for the model. */
  description?: string;
  /** zod 4 (or any Standard Schema) or a JSON Schema object; leave out for a tool without arguments. */
  schema?: Schema;
  /** After this tool ran, createReactAgent ends the turn with its result instead of calling the model again. */
  returnDirect?: boolean;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A tool made by {@link tool}. It is also a tool definition `bindTools()` accepts. */
export class Tool<Input = Record<string, unknown>, Output = unknown> {
  readonly name: string;
  readonly description: string | undefined;
  /** The schema as given. */
  readonly schema: unknown;
  /** The input's JSON Schema, as providers receive it. */
  readonly parameters: Record<string, unknown>;
  readonly returnDirect: boolean;
  private readonly checker: ToolSchema;
  private readonly run: ToolFunction<Input, Output>;

  constructor(run: ToolFunction<Input, Output>, options: ToolOptions<unknown>) {
    if (typeof run !== "function") throw new WeftError("INVALID_OPTIONS", "tool(fn, { name, description, schema }) needs a function as its first argument.");
    if (typeof options !== "object" || options === null || typeof options.name !== "string" || !TOOL_NAME.test(options.name)) {
      throw new WeftError("INVALID_OPTIONS", `A tool needs a \`name\` of 1-64 letters, digits, "_" or "-" (what models accept), not ${JSON.stringify(options?.name)}.`);
    }
    if (options.description !== undefined && typeof options.description !== "string") {
      throw new WeftError("INVALID_OPTIONS", `Tool "${options.name}" has a description that is not a string.`);
    }
    this.name = options.name;
    this.description = options.description;
    this.schema = options.schema;
    this.checker = readToolSchema(options.schema, options.name);
    this.parameters = this.checker.parameters;
    this.returnDirect = options.returnDirect === true;
    this.run = run;
  }

  /**
   * Run the tool. Given a tool call (`{ type: "tool_call", id, name, args }`, as ToolNode passes it) it
   * resolves to a ToolMessage answering that call (or the `Command` the function returned); given plain
   * arguments, to the function's result.
   * The input is checked against the schema first: a refused input is a WeftError INVALID_TOOL_INPUT
   * naming each bad field, and the function does not run.
   */
  invoke(call: ToolCallInput, config?: RunnableConfig & { state?: unknown }): Promise<ToolMessage | Extract<Output, Command<any, any>>>;
  invoke(input: Input, config?: RunnableConfig & { state?: unknown }): Promise<Output>;
  async invoke(input: unknown, config?: RunnableConfig & { state?: unknown }): Promise<unknown> {
    const call = isToolCallInput(input) ? { id: input.id, name: input.name, args: input.args } : undefined;
    const args = call === undefined ? input : call.args;
    const base: RunnableConfig | undefined = taskContextOf(config) !== undefined ? config : (config ?? currentConfig());
    const events = new ToolEvents(taskContextOf(base));
    events.emit({ event: "on_tool_start", toolCallId: call?.id, name: this.name, input: args });
    try {
      const checked = await this.checker.validate(args);
      if ("issues" in checked) throw invalidInput(this.name, checked.issues);
      const nodeWriter = (base as NodeConfig | undefined)?.writer;
      const writer: Writer = (data) => {
        events.emit({ event: "on_tool_event", toolCallId: call?.id, name: this.name, data });
        nodeWriter?.(data);
      };
      const toolConfig: ToolConfig = { ...base, writer, toolCall: call, state: config?.state };
      let output = this.run(checked.value as Input, toolConfig) as unknown;
      if (isAsyncGenerator(output)) output = await drain(output, (data) => events.emit({ event: "on_tool_event", toolCallId: call?.id, name: this.name, data }));
      else output = await output;
      const result = call === undefined ? output : toToolMessage(output, call, this.name);
      events.emit({ event: "on_tool_end", toolCallId: call?.id, name: this.name, output: result });
      return result;
    } catch (error) {
      // A pause for human input is not a failure.
      if (!isGraphInterrupt(error)) events.emit({ event: "on_tool_error", toolCallId: call?.id, name: this.name, error });
      throw error;
    }
  }
}

/**
 * Make a tool from a function and a schema.
 *
 * @example
 * const getWeather = tool(async ({ city }) => `Sunny in ${city}`, {
 *   name: "get_weather",
 *   description: "The current weather in a city",
 *   schema: z.object({ city: z.string() }),
 * });
 * const model = new ChatOpenAI({ model: "gpt-4o-mini" }).bindTools([getWeather]);
 */
export function tool<Schema = undefined, Output = unknown>(
  run: ToolFunction<ToolInputOf<Schema>, Output>,
  options: ToolOptions<Schema>,
): Tool<ToolInputOf<Schema>, Output> {
  return new Tool(run, options as ToolOptions<unknown>);
}

export type { StandardSchema, ToolInputIssue };

/** Where one tool call's events go: the run's `tools` mode when it is read, else nowhere. */
class ToolEvents {
  private readonly context: TaskContext | undefined;

  constructor(context: TaskContext | undefined) {
    this.context = context !== undefined && context.stream.wantsTools ? context : undefined;
  }

  emit(event: ToolEvent): void {
    if (this.context !== undefined) this.context.stream.push("tools", this.context.namespace, event);
  }
}

function isToolCallInput(input: unknown): input is ToolCallInput {
  return typeof input === "object" && input !== null && (input as { type?: unknown }).type === "tool_call" && typeof (input as { name?: unknown }).name === "string";
}

function isAsyncGenerator(value: unknown): value is AsyncGenerator<unknown, unknown, undefined> {
  return typeof value === "object" && value !== null && typeof (value as AsyncGenerator)[Symbol.asyncIterator] === "function" && typeof (value as AsyncGenerator).next === "function";
}

async function drain(generator: AsyncGenerator<unknown, unknown, undefined>, onYield: (value: unknown) => void): Promise<unknown> {
  for (;;) {
    const step = await generator.next();
    if (step.done) return step.value;
    onYield(step.value);
  }
}

/**
 * A tool's result as the answer to `call`: a `Command` as it is (ToolNode applies it, as LangGraph's
 * does); a message (Weft's or a LangChain message instance) read as a message, a ToolMessage kept
 * and any other kind answering with its content; text as it is, content blocks kept, anything else as JSON.
 */
function toToolMessage(output: unknown, call: ToolCall, name: string): ToolMessage | Command {
  if (isCommand(output)) return output;
  if (output instanceof Message || isLangChainMessage(output)) {
    const message = toMessage(output, `The result of tool "${name}"`);
    if (message instanceof ToolMessage) {
      if (message.name === undefined) message.name = name;
      message.id ??= crypto.randomUUID();
      return message;
    }
    if (message instanceof Message) return new ToolMessage(message.content, call.id, { name, id: crypto.randomUUID(), status: "success" });
  }
  const content = typeof output === "string" ? output : isContentBlockList(output) ? output : output === undefined ? "" : stringify(output);
  return new ToolMessage(content, call.id, { name, id: crypto.randomUUID(), status: "success" });
}

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function invalidInput(name: string, issues: ToolInputIssue[]): WeftError {
  const list = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
  return new WeftError("INVALID_TOOL_INPUT", `Tool "${name}" was called with input its schema refuses (${list}). Call it with arguments that match its schema.`, {
    details: { tool: name, issues },
  });
}
