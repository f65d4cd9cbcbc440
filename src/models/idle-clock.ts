// A stall detector for streaming adapters: fires when the provider has sent nothing for `ms`,
// counting only the provider's silence (stopped while a consumer holds a part).

/** Closes the request when the provider sends nothing for `ms`. */
export class IdleClock {
  fired = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly ms: number,
    private readonly onIdle: () => void,
  ) {}

  start(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.onIdle();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
