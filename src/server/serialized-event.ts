// A logged event held as the JSON of its data, as every event log stores it: the SSE writer sends the
// JSON as it is, and `data` is parsed only for a reader that looks at it.
import type { LoggedEvent } from "./event-log.js";

/**
 * @example
 * const logged = new SerializedEvent("7", "values", '{"topic":"cats"}');
 * logged.data; // { topic: "cats" }
 */
export class SerializedEvent implements LoggedEvent {
  #data: unknown;
  #parsed = false;

  constructor(
    readonly id: string,
    readonly event: string,
    readonly json: string,
  ) {}

  /** The event's data, parsed from its JSON on first use. */
  get data(): unknown {
    if (!this.#parsed) {
      this.#data = JSON.parse(this.json);
      this.#parsed = true;
    }
    return this.#data;
  }

  /** Plain `{ id, event, data }`, as `JSON.stringify` and test assertions see a logged event. */
  toJSON(): { id: string; event: string; data: unknown } {
    return { id: this.id, event: this.event, data: this.data };
  }
}
