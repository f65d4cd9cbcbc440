// Time-ordered checkpoint ids: sorting ids as text sorts checkpoints by creation, like LangGraph's uuid6 ids.

let lastTime = 0;
let sequence = 0;
/** Random bits drawn once per process (like a UUIDv1 node id): time + sequence + these are unique across processes. */
const processBits = Array.from(crypto.getRandomValues(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, "0")).join("");

/** A UUID-shaped id whose text order is creation order (milliseconds, then a per-process sequence, then per-process random bits). */
export function newCheckpointId(now: number = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // More than 4096 ids in one millisecond (or the clock went back): borrow the next millisecond so order holds.
    lastTime++;
    sequence = 0;
  }
  const time = lastTime.toString(16).padStart(12, "0");
  const counter = sequence.toString(16).padStart(3, "0");
  const variant = ((parseInt(processBits[0]!, 16) & 3) | 8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-6${counter}-${variant}${processBits.slice(1, 4)}-${processBits.slice(4, 16)}`;
}
