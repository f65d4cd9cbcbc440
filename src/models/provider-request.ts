// The lifetime of one streaming request to a provider, shared by the adapters (ChatOpenAI, the AI SDK
// and LangChain.js adapters): one controller for the request, aborted by the caller's signal, by the
// provider's silence, or when the consumer stops iterating, so the socket always closes promptly.
import { abortReason } from "../runtime/abortable-delay.js";
import { sourceSignalsOf } from "../stream/signal-sources.js";

export class ProviderRequest {
  /** Pass this to the provider's client. */
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly onAbort: () => void;
  private timer: NodeJS.Timeout | undefined;
  private idleFired = false;
  /** What `outer` follows, if AbortSignal.any() made it, held while the request lasts (signal-sources.ts). */
  private readonly heldSignals: AbortSignal[];

  /** Throws the caller's abort reason at once when `outer` is already aborted. */
  constructor(
    private readonly outer: AbortSignal | undefined,
    /** Milliseconds of provider silence after which the request is closed. */
    readonly idleMs: number,
  ) {
    if (outer?.aborted) throw abortReason(outer);
    this.signal = this.controller.signal;
    this.heldSignals = sourceSignalsOf(outer);
    this.onAbort = () => this.controller.abort(outer!.reason);
    outer?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** The provider is expected to send: its silence from now on counts. */
  waiting(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.idleFired = true;
      this.controller.abort();
    }, this.idleMs);
  }

  /** The provider sent something: a slow consumer holding it does not count as provider silence. */
  received(): void {
    clearTimeout(this.timer);
  }

  /**
   * Throws why the request ended early, if it did: the caller's abort reason, or `stalled()` when the
   * provider went silent. Providers' clients often end a stream quietly when its request is aborted.
   */
  throwIfStopped(stalled: () => unknown): void {
    if (this.outer?.aborted) throw abortReason(this.outer);
    if (this.idleFired) throw stalled();
  }

  /** Release the timer and listener, and close the request (a consumer that stopped early included). */
  close(): void {
    clearTimeout(this.timer);
    this.outer?.removeEventListener("abort", this.onAbort);
    this.heldSignals.length = 0;
    this.controller.abort();
  }
}
