// withStructuredOutput: a model call whose answer is an object matching a schema. As LangChain does
// for tool-calling models, the schema is offered as the one tool and the model is made to call it
// (tool_choice); the call's arguments, checked against the schema, are the answer.
import { WeftError, describeValue } from "../errors.js";
import type { MessagesInput } from "../core/messages.js";
import type { BaseChatModel, ChatCallOptions } from "./chat-model.js";
import { type ToolSchema, readToolSchema } from "./tool-schema.js";

export interface StructuredOutputOptions {
  /** The name of the tool the schema is offered as; default the JSON Schema's `title`, else "extract". */
  name?: string;
  /** What the answer is, for the model. */
  description?: string;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A model view made by `model.withStructuredOutput(schema)`: `invoke` resolves to the checked object. */
export class StructuredOutput<Output> {
  readonly name: string;
  private readonly checker: ToolSchema;
  private readonly model: BaseChatModel;

  constructor(model: BaseChatModel, schema: unknown, options: StructuredOutputOptions = {}) {
    if (typeof options !== "object" || options === null) throw new WeftError("INVALID_OPTIONS", "withStructuredOutput(schema, options): `options` must be an object such as { name }.");
    for (const key of Object.keys(options)) {
      if (key !== "name" && key !== "description") {
        throw new WeftError("INVALID_OPTIONS", `withStructuredOutput(schema, options) has no option "${key}"; it takes name and description (the schema is always sent as a tool the model must call).`);
      }
    }
    if (schema === undefined || schema === null) {
      throw new WeftError("INVALID_OPTIONS", "withStructuredOutput(schema) needs a schema: zod 4 (z.object({...})), another Standard Schema, or a JSON Schema object.");
    }
    const title = (schema as { title?: unknown }).title;
    const name = options.name ?? (typeof title === "string" && TOOL_NAME.test(title) ? title : "extract");
    if (typeof name !== "string" || !TOOL_NAME.test(name)) {
      throw new WeftError("INVALID_OPTIONS", `withStructuredOutput: \`name\` must be 1-64 letters, digits, "_" or "-", not ${describeValue(name)}.`);
    }
    this.name = name;
    this.checker = readToolSchema(schema, name);
    const tool = { name, parameters: this.checker.parameters, ...(options.description === undefined ? {} : { description: options.description }) };
    this.model = model.bindTools([tool], { tool_choice: name });
  }

  /** Call the model; resolves to its answer as an object the schema accepts (inside a graph its tokens stream as usual). */
  async invoke(input: MessagesInput, options?: ChatCallOptions): Promise<Output> {
    const answer = await this.model.invoke(input, options);
    const call = answer.toolCalls.find((candidate) => candidate.name === this.name);
    if (call === undefined) {
      throw new WeftError(
        "MODEL_CALL",
        `${this.model.provider} model "${this.model.modelName}" answered without calling "${this.name}", so there is no structured answer (it said: ${JSON.stringify(answer.text.slice(0, 200))}).`,
        { details: { provider: this.model.provider, model: this.model.modelName, answer } },
      );
    }
    const checked = await this.checker.validate(call.args);
    if ("issues" in checked) {
      const list = checked.issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
      throw new WeftError("MODEL_CALL", `${this.model.provider} model "${this.model.modelName}" answered with an object the schema refuses (${list}).`, {
        details: { provider: this.model.provider, model: this.model.modelName, issues: checked.issues, answer },
      });
    }
    return checked.value as Output;
  }
}
