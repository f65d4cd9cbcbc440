import { WeftError } from "../errors.js";
import type { Channel, ChannelSpec } from "../core/channel.js";

class LastValueChannel<Value> implements Channel<Value, Value> {
  private value: Value | undefined;
  private available = false;

  constructor(private readonly key: string) {}

  update(values: readonly Value[]): boolean {
    if (values.length === 0) return false;
    if (values.length > 1) {
      throw new WeftError(
        "INVALID_UPDATE",
        `State key "${this.key}" received ${values.length} values in one step; a last-value key takes one value per step. ` +
          `Give "${this.key}" a reducer (reducer(fn, initial)) to combine parallel writes.`,
        { details: { key: this.key } },
      );
    }
    this.value = values[0];
    this.available = true;
    return true;
  }

  get(): Value {
    return this.value as Value;
  }

  isAvailable(): boolean {
    return this.available;
  }

  checkpoint(): unknown {
    return this.value;
  }

  restore(saved: unknown): void {
    // Only values of available channels are saved, and a key written with `undefined` holds it:
    // restoring keeps the key (so a resumed thread's state equals the uninterrupted one).
    this.value = saved as Value;
    this.available = true;
  }
}

/** A state key that keeps the last value written to it (the default for every key). */
export function lastValue<Value>(): ChannelSpec<Value, Value> {
  return { kind: "lastValue", create: (key) => new LastValueChannel<Value>(key) };
}
