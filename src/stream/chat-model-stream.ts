// One model call's message in a v3 run stream: its events, and typed projections (.text, .reasoning,
// .toolCalls, .usage, .output) that each replay the message from its start, so they can be read in any order.
import { AIMessage, type ToolCall, type Usage } from "../core/messages.js";
import type { EventLog } from "./event-log.js";
import type { MessageEvent, Namespace } from "./run-event-types.js";

/** Iterate for the pieces as they stream; await for the whole. */
export interface StreamedValue<Piece, Whole = Piece> extends AsyncIterable<Piece>, PromiseLike<Whole> {}

/**
 * A message as it streams (LangGraph.js's ChatModelStream).
 *
 * @example
 * for await (const message of run.messages) {
 *   for await (const token of message.text) process.stdout.write(token);
 *   console.log(await message.usage);
 * }
 */
export class ChatModelStream implements AsyncIterable<MessageEvent> {
  constructor(
    /** The message id (the id of the final AIMessage). */
    readonly id: string,
    /** The namespace of the node that made the call (["agent:<taskId>"] for a root node). */
    readonly namespace: Namespace,
    /** The node that made the call. */
    readonly node: string | undefined,
    private readonly log: EventLog<MessageEvent>,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<MessageEvent> {
    return this.log.iterate();
  }

  /** The text tokens; awaited, the whole text. */
  get text(): StreamedValue<string> {
    return this.pieces((event) => (event.event === "content-block-delta" && event.delta.type === "text-delta" ? event.delta.text : undefined), join);
  }

  /** The reasoning ("thinking") tokens; awaited, the whole reasoning. */
  get reasoning(): StreamedValue<string> {
    return this.pieces((event) => (event.event === "content-block-delta" && event.delta.type === "reasoning-delta" ? event.delta.reasoning : undefined), join);
  }

  /** Each tool call once its arguments are complete; awaited, all of them. */
  get toolCalls(): StreamedValue<ToolCall, ToolCall[]> {
    return this.pieces(
      (event) => (event.event === "content-block-finish" && event.content.type === "tool_call" ? { id: event.content.id, name: event.content.name, args: event.content.args } : undefined),
      (calls) => calls,
    );
  }

  /** The call's token counts, when the provider reported them. */
  get usage(): PromiseLike<Usage | undefined> {
    return this.collect().then((message) => message.usage);
  }

  /** The whole message, once it finished. */
  get output(): PromiseLike<AIMessage> {
    return this.collect();
  }

  private pieces<Piece, Whole>(pick: (event: MessageEvent) => Piece | undefined, whole: (pieces: Piece[]) => Whole): StreamedValue<Piece, Whole> {
    const log = this.log;
    const iterate = (): AsyncIterator<Piece> => {
      const events = log.iterate();
      return {
        async next() {
          for (;;) {
            const result = await events.next();
            if (result.done) return { value: undefined, done: true };
            const piece = pick(result.value);
            if (piece !== undefined) return { value: piece, done: false };
          }
        },
        return: () => events.return!() as Promise<IteratorResult<Piece>>,
      };
    };
    return {
      [Symbol.asyncIterator]: iterate,
      then(onFulfilled, onRejected) {
        return (async () => {
          const pieces: Piece[] = [];
          for await (const piece of { [Symbol.asyncIterator]: iterate }) pieces.push(piece);
          return whole(pieces);
        })().then(onFulfilled, onRejected);
      },
    };
  }

  private collect(): Promise<AIMessage> {
    return (async () => {
      let text = "";
      let reasoning = "";
      const toolCalls: ToolCall[] = [];
      let usage: Usage | undefined;
      let reason: string | undefined;
      for await (const event of this) {
        if (event.event === "content-block-delta") {
          if (event.delta.type === "text-delta") text += event.delta.text;
          else if (event.delta.type === "reasoning-delta") reasoning += event.delta.reasoning;
        } else if (event.event === "content-block-finish" && event.content.type === "tool_call") {
          toolCalls.push({ id: event.content.id, name: event.content.name, args: event.content.args });
        } else if (event.event === "message-finish") {
          reason = event.reason;
          if (event.usage !== undefined) usage = { inputTokens: event.usage.input_tokens, outputTokens: event.usage.output_tokens, totalTokens: event.usage.total_tokens };
        }
      }
      return new AIMessage(text, {
        id: this.id,
        toolCalls,
        usage,
        reasoning: reasoning === "" ? undefined : reasoning,
        responseMetadata: reason === undefined ? {} : { finishReason: reason },
      });
    })();
  }
}

function join(pieces: string[]): string {
  return pieces.join("");
}
