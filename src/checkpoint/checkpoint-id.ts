// Time-ordered checkpoint ids: sorting ids as text sorts checkpoints by creation, like LangGraph's uuid6 ids.

let lastTime = 0;
let sequence = 0;

/** A UUID-shaped id whose text order is creation order (milliseconds, then a per-process sequence, then random bits). */
export function newCheckpointId(now: number = Date.now()): string {
  if (now <= lastTime) {
    sequence++;
    now = lastTime;
  } else {
    lastTime = now;
    sequence = 0;
  }
  const time = now.toString(16).padStart(12, "0");
  const counter = (sequence & 0xfff).toString(16).padStart(3, "0");
  if (sequence > 0xfff) {
    // More than 4096 ids in one millisecond: borrow the next millisecond so order holds.
    lastTime = now + 1;
    sequence = 0;
  }
  const random = crypto.getRandomValues(new Uint8Array(8));
  const hex = Array.from(random, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-6${counter}-${((parseInt(hex[0]!, 16) & 3) | 8).toString(16)}${hex.slice(1, 4)}-${hex.slice(4, 16)}`;
}
