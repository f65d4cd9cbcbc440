// The worker side of a useChat turn (ai-sdk-chat-routes.ts): a run whose request asks for the AI SDK's
// UI message stream logs each UI chunk as an event named "ui", so every instance, and a client that
// resumes after a reload, reads the same response from the run's log.
import { WeftError, describeError } from "../errors.js";
import { UIMessageWriter } from "../ui/ai-sdk/ui-message-writer.js";

/** The event name of a logged UI message chunk. */
export const UI_EVENT = "ui";

/** The graph stream modes a UI message stream is made from. */
export const UI_MESSAGE_MODES = ["messages", "custom", "tools", "updates"] as const;

export class UIMessageEvents {
  private readonly writer: UIMessageWriter;

  /** `continuesMessage`: the run answers an interrupt, so its chunks go on with the message that asked. */
  constructor(continuesMessage: boolean) {
    this.writer = new UIMessageWriter({ continuesMessage });
  }

  /** The UI chunks of one graph stream item, as log events. */
  accept(item: unknown): Array<{ event: string; data: unknown }> {
    return this.writer.accept(item).map(toEvent);
  }

  /** The run ended: close the open parts and finish the message. */
  finish(): Array<{ event: string; data: unknown }> {
    return this.writer.finish().map(toEvent);
  }

  /** The run failed or was cancelled: `abort` for a cancel, else `error` with the error's message. */
  fail(error: unknown): Array<{ event: string; data: unknown }> {
    const text = WeftError.isInstance(error) ? error.message : describeError(error);
    return this.writer.fail(error, text).map(toEvent);
  }
}

function toEvent(chunk: unknown): { event: string; data: unknown } {
  return { event: UI_EVENT, data: chunk };
}
