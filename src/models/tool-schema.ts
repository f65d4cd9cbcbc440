// A tool's input schema, whatever it was written with: zod 4 or any Standard Schema library
// (`~standard.validate`), or a plain JSON Schema (checked with @cfworker/json-schema, the validator
// LangChain.js uses: no code generation, so it runs where eval is forbidden, and no dependencies).
// It gives the JSON Schema a provider needs and validates a call's input before the tool runs.
import { type Schema as JsonSchemaDocument, Validator } from "@cfworker/json-schema";
import { WeftError, describeError, describeValue } from "../errors.js";

/** The part of the Standard Schema contract (standardschema.dev) Weft uses. */
export interface StandardSchema<Output = unknown> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
}

type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> };

/** One reason an input was refused: where (`location`, `items[2].price`, or `(input)`) and what. */
export interface ToolInputIssue {
  path: string;
  message: string;
}

/** A tool's schema, read once when the tool is made. */
export interface ToolSchema {
  /** JSON Schema of the input, as sent to providers. */
  readonly parameters: Record<string, unknown>;
  /** The checked (and, for Standard Schema, transformed) input, or the issues. */
  validate(input: unknown): Promise<{ value: unknown } | { issues: ToolInputIssue[] }>;
}

const NO_ARGUMENTS = { type: "object", properties: {} };

/** Read `schema` (Standard Schema, JSON Schema, or undefined for a tool without arguments). */
export function readToolSchema(schema: unknown, toolName: string): ToolSchema {
  if (schema === undefined) return { parameters: NO_ARGUMENTS, validate: async (input) => checkObject(input) ?? { value: input ?? {} } };
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new WeftError(
      "INVALID_OPTIONS",
      `The schema of tool "${toolName}" is ${describeValue(schema)}; give a zod schema (z.object({...})), another Standard Schema, or a JSON Schema object.`,
    );
  }
  const standard = (schema as Partial<StandardSchema>)["~standard"];
  if (standard !== undefined && typeof standard.validate === "function") return standardSchema(schema as StandardSchema, toolName);
  return jsonSchema(schema as Record<string, unknown>, toolName);
}

function standardSchema(schema: StandardSchema, toolName: string): ToolSchema {
  return {
    parameters: jsonSchemaOf(schema, toolName),
    async validate(input) {
      const result = await schema["~standard"].validate(input);
      if (result.issues === undefined) return { value: result.value };
      return {
        issues: result.issues.map((issue) => ({
          path: pathOf((issue.path ?? []).map((segment) => (typeof segment === "object" && segment !== null ? segment.key : segment))),
          message: issue.message,
        })),
      };
    },
  };
}

/** JSON Schema from a schema object: Standard JSON Schema (zod 4.2+, ...) or a `toJSONSchema()` method. */
export function jsonSchemaOf(schema: unknown, toolName: string): Record<string, unknown> {
  const standard = (schema as { "~standard"?: { jsonSchema?: { input?: (options: { target: string }) => unknown } } } | null)?.["~standard"];
  let json: unknown;
  try {
    if (typeof standard?.jsonSchema?.input === "function") json = standard.jsonSchema.input({ target: "draft-07" });
    else if (typeof (schema as { toJSONSchema?: unknown })?.toJSONSchema === "function") json = (schema as { toJSONSchema: () => unknown }).toJSONSchema();
  } catch (error) {
    throw new WeftError("INVALID_OPTIONS", `The schema of tool "${toolName}" cannot be turned into JSON Schema: ${describeError(error)}`, { cause: error });
  }
  if (typeof json !== "object" || json === null) {
    throw new WeftError(
      "INVALID_OPTIONS",
      `The schema of tool "${toolName}" cannot describe itself as JSON Schema, which the model needs; use zod 4 (or another Standard JSON Schema library), or a plain JSON Schema.`,
    );
  }
  const { $schema: _ignored, ...parameters } = json as Record<string, unknown>;
  return parameters;
}

function jsonSchema(schema: Record<string, unknown>, toolName: string): ToolSchema {
  let validator: Validator;
  try {
    validator = new Validator(schema as JsonSchemaDocument, draftOf(schema), false);
  } catch (error) {
    throw new WeftError("INVALID_OPTIONS", `The JSON Schema of tool "${toolName}" is not usable: ${describeError(error)}`, { cause: error });
  }
  const { $schema: _ignored, ...parameters } = schema;
  return {
    parameters,
    async validate(input) {
      const result = validator.validate(input);
      if (result.valid) return { value: input };
      return { issues: jsonSchemaIssues(result.errors) };
    },
  };
}

function draftOf(schema: Record<string, unknown>): "4" | "7" | "2019-09" | "2020-12" {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  if (declared.includes("draft-04")) return "4";
  if (declared.includes("draft-07") || declared.includes("draft-06")) return "7";
  if (declared.includes("2019-09")) return "2019-09";
  return "2020-12";
}

// Errors that only say "something inside did not match"; the inner error says what.
const WRAPPER_KEYWORDS = new Set(["properties", "items", "prefixItems", "allOf", "$ref", "additionalProperties", "dependentSchemas", "unevaluatedProperties"]);

function jsonSchemaIssues(errors: ReadonlyArray<{ instanceLocation: string; keyword: string; error: string }>): ToolInputIssue[] {
  const specific = errors.filter((error) => !WRAPPER_KEYWORDS.has(error.keyword));
  return (specific.length > 0 ? specific : errors).map((error) => {
    const segments = error.instanceLocation.replace(/^#\/?/, "").split("/").filter((segment) => segment !== "").map(decodePointer);
    const missing = error.keyword === "required" ? /required property "(.*)"/.exec(error.error) : null;
    if (missing !== null) return { path: pathOf([...segments, missing[1]!]), message: "is required" };
    if (error.keyword === "false") return { path: pathOf(segments), message: "is not allowed" };
    return { path: pathOf(segments), message: error.error };
  });
}

function decodePointer(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
}

function pathOf(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return "(input)";
  let path = "";
  for (const segment of segments) {
    const text = String(segment);
    path += /^\d+$/.test(text) ? `[${text}]` : path === "" ? text : `.${text}`;
  }
  return path;
}

function checkObject(input: unknown): { issues: ToolInputIssue[] } | undefined {
  if (input === undefined || (typeof input === "object" && input !== null && !Array.isArray(input))) return undefined;
  return { issues: [{ path: "(input)", message: `expected an object of arguments, got ${describeValue(input)}` }] };
}
