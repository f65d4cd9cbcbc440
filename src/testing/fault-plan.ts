// Seeded, reproducible fault injection for the OpenAI-compatible test server: the same seed and
// the same request order always give the same faults, so a failing reliability run can be replayed.
import { seededRandom } from "../core/seeded-random.js";
import { WeftError } from "../errors.js";

/** The faults the test server can inject into one response. */
export type FaultKind = "status-429" | "status-500" | "status-503" | "reset" | "malformed" | "delay" | "drop";

/** One injected fault, as applied to a request (recorded on the request for assertions). */
export type Fault =
  | { kind: "status"; status: number; retryAfterMs?: number }
  | { kind: "reset"; afterChunks: number }
  | { kind: "malformed"; afterChunks: number }
  | { kind: "delay"; delayMs: number }
  | { kind: "drop" };

export interface RandomFaultOptions {
  /** The seed of the pseudo-random sequence; the same seed replays the same faults. */
  seed: number;
  /** Chance in [0, 1] that a request gets a fault (default 0.3). */
  probability?: number;
  /**
   * Which faults to draw from. Default: all but "drop" (a dropped connection is retried with the
   * SDK's own backoff of 0.5 s and more, which would make a long seeded run slow).
   */
  kinds?: readonly FaultKind[];
  /** Retry-After (ms) sent with injected 429/503 statuses, so client retries stay fast (default 1). */
  retryAfterMs?: number;
  /** The longest chunk delay a "delay" fault adds, in ms (default 20). */
  maxDelayMs?: number;
}

const DEFAULT_KINDS: readonly FaultKind[] = ["status-429", "status-500", "status-503", "reset", "malformed", "delay"];

/** A deterministic source of faults: call `next(chunkCount)` once per request, in request order. */
export class FaultPlan {
  private readonly random: () => number;
  private readonly probability: number;
  private readonly kinds: readonly FaultKind[];
  private readonly retryAfterMs: number;
  private readonly maxDelayMs: number;

  constructor(options: RandomFaultOptions) {
    if (!Number.isInteger(options.seed)) {
      throw new WeftError("INVALID_OPTIONS", `randomFaults.seed must be an integer, not ${String(options.seed)}.`);
    }
    this.random = seededRandom(options.seed);
    this.probability = options.probability ?? 0.3;
    this.kinds = options.kinds && options.kinds.length > 0 ? options.kinds : DEFAULT_KINDS;
    this.retryAfterMs = options.retryAfterMs ?? 1;
    this.maxDelayMs = options.maxDelayMs ?? 20;
  }

  /** The fault for the next request (whose answer has `chunkCount` chunks), or undefined for none. */
  next(chunkCount: number): Fault | undefined {
    // Always draw the same number of values per request, so one decision never shifts the next.
    const hit = this.random();
    const pick = this.random();
    const position = this.random();
    if (hit >= this.probability) return undefined;
    const kind = this.kinds[Math.floor(pick * this.kinds.length)]!;
    const afterChunks = Math.floor(position * (chunkCount + 1));
    switch (kind) {
      case "status-429":
        return { kind: "status", status: 429, retryAfterMs: this.retryAfterMs };
      case "status-500":
        return { kind: "status", status: 500, retryAfterMs: this.retryAfterMs };
      case "status-503":
        return { kind: "status", status: 503, retryAfterMs: this.retryAfterMs };
      case "reset":
        return { kind: "reset", afterChunks };
      case "malformed":
        return { kind: "malformed", afterChunks };
      case "delay":
        return { kind: "delay", delayMs: 1 + Math.floor(position * this.maxDelayMs) };
      case "drop":
        return { kind: "drop" };
    }
  }
}

