// What a message's content may be: a string, or a list of content blocks (text and images), in the
// shapes LangChain and OpenAI use, so multimodal messages port unchanged.
import { WeftError, describeValue } from "../errors.js";

/** A piece of text. */
export interface TextBlock {
  type: "text";
  text: string;
}

/**
 * An image, by URL or as base64 data. LangChain's older `source_type` / `mime_type` spelling is
 * accepted too.
 *
 * @example
 * { type: "image", url: "https://example.com/cat.png" }
 * { type: "image", data: "iVBORw0KGgo...", mimeType: "image/png" }
 */
export interface ImageBlock {
  type: "image";
  url?: string;
  data?: string;
  mimeType?: string;
  mime_type?: string;
  source_type?: "url" | "base64";
}

/** OpenAI's (and LangChain's classic) image part: a URL, which may be a `data:` URL. */
export interface ImageUrlBlock {
  type: "image_url";
  image_url: string | { url: string; detail?: "auto" | "low" | "high" };
}

export type ContentBlock = TextBlock | ImageBlock | ImageUrlBlock;

/** A message's content: text, or content blocks. */
export type MessageContent = string | ContentBlock[];

/** The text of `content`: the string itself, or its text blocks joined. */
export function textOf(content: MessageContent): string {
  if (typeof content === "string") return content;
  let text = "";
  for (const block of content) if (block.type === "text") text += block.text;
  return text;
}

/**
 * Checks content read from outside (a message dict, a tool's result) and returns it typed, or throws
 * an INVALID_MESSAGES WeftError that names `where` and says what is accepted.
 */
export function checkContent(content: unknown, where: string): MessageContent {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) {
    throw new WeftError(
      "INVALID_MESSAGES",
      `${where} has content ${describeValue(content)}; content must be a string or an array of content blocks ({ type: "text", text } or { type: "image", url | data }).`,
    );
  }
  return Array.from(content as unknown[], (block, index) => checkBlock(block, `${where}, content block ${index},`));
}

/** True when `value` is a list of valid content blocks (used to keep a tool's block result as blocks). */
export function isContentBlockList(value: unknown): value is ContentBlock[] {
  if (!Array.isArray(value) || value.length === 0) return false;
  try {
    checkContent(value, "value");
    return true;
  } catch {
    return false;
  }
}

function checkBlock(block: unknown, where: string): ContentBlock {
  if (typeof block !== "object" || block === null) {
    throw new WeftError("INVALID_MESSAGES", `${where} is ${describeValue(block)}; a content block is an object such as { type: "text", text: "..." }.`);
  }
  const fields = block as Record<string, unknown>;
  switch (fields.type) {
    case "text":
      if (typeof fields.text !== "string") throw new WeftError("INVALID_MESSAGES", `${where} is a text block without a string \`text\`.`);
      return block as TextBlock;
    case "image": {
      const hasUrl = typeof fields.url === "string" && fields.url !== "";
      const hasData = typeof fields.data === "string" && fields.data !== "";
      const mimeType = fields.mimeType ?? fields.mime_type;
      if (!hasUrl && !hasData) {
        throw new WeftError("INVALID_MESSAGES", `${where} is an image block with neither \`url\` nor base64 \`data\`; give one of them.`);
      }
      if (!hasUrl && typeof mimeType !== "string") {
        throw new WeftError("INVALID_MESSAGES", `${where} is a base64 image block without \`mimeType\`; add it, e.g. mimeType: "image/png".`);
      }
      return block as ImageBlock;
    }
    case "image_url": {
      const imageUrl = fields.image_url;
      const url = typeof imageUrl === "string" ? imageUrl : (imageUrl as { url?: unknown } | null | undefined)?.url;
      if (typeof url !== "string" || url === "") {
        throw new WeftError("INVALID_MESSAGES", `${where} is an image_url block without a URL; use { type: "image_url", image_url: { url } }.`);
      }
      return block as ImageUrlBlock;
    }
    default:
      throw new WeftError(
        "INVALID_MESSAGES",
        `${where} has type ${describeValue(fields.type)}; Weft messages take "text", "image" (url or base64 data) and "image_url" blocks.`,
      );
  }
}
