// A FakeChatModel whose text tokens wait for the test: while `paced`, each token goes out only when the
// test grants it (`release()`), so a test can watch a UI after every token instead of sleeping.
import type { ChatModelRequest, ChatStreamPart } from "weft";
import { FakeChatModel, type FakeChatModelOptions } from "weft/testing";

export class PacedChatModel extends FakeChatModel {
  // One object, shared by the views bindTools() makes (Object.create), so release() reaches them all.
  private readonly gate = { paced: false, permits: 0, waiters: new Set<() => void>(), waiting: 0, onWait: new Set<() => void>() };

  constructor(options: FakeChatModelOptions) {
    super(options);
  }

  /** From now on, text tokens wait for release(). */
  pace(): void {
    this.gate.paced = true;
  }

  /** Let `count` more text tokens out. */
  release(count = 1): void {
    this.gate.permits += count;
    for (const wake of [...this.gate.waiters]) wake();
  }

  /** Resolves once a token is waiting for release() (the model is mid-answer). */
  waitingForRelease(): Promise<void> {
    if (this.gate.waiting > 0) return Promise.resolve();
    return new Promise((resolve) => this.gate.onWait.add(resolve));
  }

  protected override async *streamParts(request: ChatModelRequest): AsyncIterable<ChatStreamPart> {
    for await (const part of super.streamParts(request)) {
      if (typeof part === "string" && this.gate.paced) await this.permit(request.signal);
      yield part;
    }
  }

  private async permit(signal: AbortSignal | undefined): Promise<void> {
    const gate = this.gate;
    gate.waiting++;
    for (const resolve of gate.onWait) resolve();
    gate.onWait.clear();
    try {
      while (gate.permits === 0) {
        if (signal?.aborted) throw signal.reason;
        await new Promise<void>((resolve) => {
          const wake = () => {
            gate.waiters.delete(wake);
            signal?.removeEventListener("abort", wake);
            resolve();
          };
          gate.waiters.add(wake);
          signal?.addEventListener("abort", wake, { once: true });
        });
      }
      gate.permits--;
    } finally {
      gate.waiting--;
    }
  }
}
