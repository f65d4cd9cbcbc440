// One run's kept events for the memory event log, outside the JavaScript heap: each event's name
// and the UTF-8 of its data's JSON, packed into fixed-size blocks in order. Dropping the oldest event
// is moving a cursor; a block whose events are all dropped goes back to a shared pool. The heap holds
// a few bytes per event (an offset and a shared name string) instead of the event's objects, so a
// full log neither grows nor fragments the heap, and its memory is what it counts.

/** Bytes of a full-size block; an event larger than this gets a block of its own size. */
export const BLOCK_BYTES = 64 * 1024;
/** Bytes of a run's first block; each next one doubles, up to BLOCK_BYTES, so a short run's log stays small. */
export const FIRST_BLOCK_BYTES = 4 * 1024;

interface Block {
  bytes: Buffer;
  /** Bytes used so far. */
  used: number;
  /** End offset of each event in the block, and its SSE name (parallel arrays). */
  ends: number[];
  names: string[];
  /** Events of this block already dropped. */
  dropped: number;
}

/** Spare blocks of BLOCK_BYTES, reused by every run of one log, so blocks are not allocated per run. */
export class BlockPool {
  private readonly spare: Buffer[] = [];

  constructor(private readonly maxSpare: number) {}

  take(size: number): Buffer {
    if (size === BLOCK_BYTES) return this.spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
    return Buffer.allocUnsafeSlow(size);
  }

  give(bytes: Buffer): void {
    if (bytes.length === BLOCK_BYTES && this.spare.length < this.maxSpare) this.spare.push(bytes);
  }
}

/** A FIFO of events (name, data JSON) in blocks. An event's size is its name's length plus its JSON's UTF-8 bytes. */
export class EventBlocks {
  private readonly blocks: Block[] = [];
  /** Events kept, and their size. */
  count = 0;
  size = 0;
  /** Bytes of the blocks holding them: the memory this run's log takes. */
  held = 0;

  constructor(private readonly pool: BlockPool) {}

  /** Add an event at the end; returns its size. */
  push(name: string, json: string): number {
    let block = this.blocks.at(-1);
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit; only a near-full block needs the exact count.
    let length = json.length * 3;
    if (block === undefined || block.bytes.length - block.used < length) {
      length = Buffer.byteLength(json);
      if (block === undefined || block.bytes.length - block.used < length) {
        const next = block === undefined ? FIRST_BLOCK_BYTES : Math.min(BLOCK_BYTES, block.bytes.length * 2);
        block = { bytes: this.pool.take(Math.max(length, next)), used: 0, ends: [], names: [], dropped: 0 };
        this.blocks.push(block);
        this.held += block.bytes.length;
      }
    }
    const written = block.bytes.write(json, block.used, "utf8");
    block.used += written;
    block.ends.push(block.used);
    block.names.push(name);
    const size = name.length + written;
    this.count++;
    this.size += size;
    return size;
  }

  /** The event at `index` (0 = the oldest kept): its name and data JSON. */
  at(index: number): { name: string; json: string } {
    if (index < 0 || index >= this.count) throw new RangeError(`No event at ${index} of ${this.count}`);
    // Live readers read the newest events, catching-up readers the oldest: search from the nearer end.
    let blockIndex = 0;
    let position = index;
    if (index >= this.count / 2) {
      let after = this.count - index;
      blockIndex = this.blocks.length - 1;
      while (after > this.blocks[blockIndex]!.ends.length - this.blocks[blockIndex]!.dropped) {
        after -= this.blocks[blockIndex]!.ends.length - this.blocks[blockIndex]!.dropped;
        blockIndex--;
      }
      position = this.blocks[blockIndex]!.ends.length - after;
    } else {
      while (position >= this.blocks[blockIndex]!.ends.length - this.blocks[blockIndex]!.dropped) {
        position -= this.blocks[blockIndex]!.ends.length - this.blocks[blockIndex]!.dropped;
        blockIndex++;
      }
      position += this.blocks[blockIndex]!.dropped;
    }
    const block = this.blocks[blockIndex]!;
    const start = position === 0 ? 0 : block.ends[position - 1]!;
    return { name: block.names[position]!, json: block.bytes.toString("utf8", start, block.ends[position]!) };
  }

  /** Drop the oldest event; returns its size. */
  shift(): number {
    const block = this.blocks[0]!;
    const position = block.dropped++;
    const start = position === 0 ? 0 : block.ends[position - 1]!;
    const size = block.names[position]!.length + block.ends[position]! - start;
    if (block.dropped === block.ends.length) {
      // Emptied: an older block goes back to the pool; the one being filled starts over in place.
      if (this.blocks.length > 1) this.release(this.blocks.shift()!);
      else Object.assign(block, { used: 0, ends: [], names: [], dropped: 0 });
    }
    this.count--;
    this.size -= size;
    return size;
  }

  /** Give every block back to the pool. */
  clear(): void {
    for (const block of this.blocks.splice(0)) this.release(block);
    this.held = 0;
    this.count = 0;
    this.size = 0;
  }

  private release(block: Block): void {
    this.held -= block.bytes.length;
    this.pool.give(block.bytes);
  }
}
