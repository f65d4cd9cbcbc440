import { WeftError, describeError } from "../errors.js";
import type { Channel, ChannelSpec } from "../core/channel.js";

class ReducerChannel<Value, Update> implements Channel<Value, Update> {
  private value: Value;

  constructor(
    private readonly key: string,
    private readonly reduce: (current: Value, update: Update) => Value,
    private readonly initial: () => Value,
  ) {
    this.value = initial();
  }

  update(values: readonly Update[]): boolean {
    if (values.length === 0) return false;
    let value = this.value;
    for (const update of values) {
      try {
        value = this.reduce(value, update);
      } catch (error) {
        throw new WeftError("INVALID_UPDATE", `The reducer of state key "${this.key}" threw: ${describeError(error)}`, {
          cause: error,
          details: { key: this.key },
        });
      }
    }
    this.value = value;
    return true;
  }

  get(): Value {
    return this.value;
  }

  isAvailable(): boolean {
    return true;
  }

  checkpoint(): unknown {
    return this.value;
  }

  restore(saved: unknown): void {
    this.value = saved === undefined ? this.initial() : (saved as Value);
  }
}

/**
 * A state key whose writes are combined with `reduce`, starting from `initial`
 * (a value, or a function returning a fresh one for each run).
 *
 * @example
 * const schema = { items: reducer((all: string[], more: string[]) => [...all, ...more], () => []) };
 */
export function reducer<Value, Update = Value>(
  reduce: (current: Value, update: Update) => Value,
  initial: Value | (() => Value),
): ChannelSpec<Value, Update> {
  if (typeof reduce !== "function") {
    throw new WeftError("INVALID_GRAPH", "reducer(fn, initial) needs a function as its first argument.");
  }
  const makeInitial = typeof initial === "function" ? (initial as () => Value) : () => structuredCloneSafe(initial);
  return { kind: "reducer", create: (key) => new ReducerChannel<Value, Update>(key, reduce, makeInitial) };
}

function structuredCloneSafe<Value>(value: Value): Value {
  if (value === null || typeof value !== "object") return value;
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
