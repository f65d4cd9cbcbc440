import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BLOCK_BYTES, BlockPool, EventBlocks, FIRST_BLOCK_BYTES } from "./event-blocks.js";

/** Every kept event, oldest first, read through `at`. */
function all(events: EventBlocks): Array<{ name: string; json: string }> {
  return Array.from({ length: events.count }, (_, index) => events.at(index));
}

describe("EventBlocks", () => {
  it("keeps events in order across blocks, and reads each from either end", () => {
    const events = new EventBlocks(new BlockPool(4));
    const pushed: Array<{ name: string; json: string }> = [];
    // ~300 bytes each: about 218 per block, so these span several blocks.
    for (let index = 0; index < 1_000; index++) {
      const entry = { name: index % 7 === 0 ? "values" : "messages", json: JSON.stringify({ index, text: "x".repeat(280) }) };
      pushed.push(entry);
      assert.equal(events.push(entry.name, entry.json), entry.name.length + entry.json.length);
    }
    assert.equal(events.count, 1_000);
    assert.equal(events.size, pushed.reduce((sum, each) => sum + each.name.length + each.json.length, 0));
    assert.deepEqual(all(events), pushed);
    assert.throws(() => events.at(1_000), RangeError);
    assert.throws(() => events.at(-1), RangeError);
  });

  it("drops the oldest first, counting its size, and reads what is left", () => {
    const events = new EventBlocks(new BlockPool(4));
    const pushed = Array.from({ length: 600 }, (_, index) => ({ name: "messages", json: `[${index},"${"y".repeat(200)}"]` }));
    for (const each of pushed) events.push(each.name, each.json);
    for (let index = 0; index < 450; index++) assert.equal(events.shift(), pushed[index]!.name.length + pushed[index]!.json.length);
    assert.equal(events.count, 150);
    assert.deepEqual(all(events), pushed.slice(450));
    events.push("values", "{}");
    assert.deepEqual(events.at(150), { name: "values", json: "{}" });
  });

  it("stores UTF-8: sizes count bytes, and text comes back whole", () => {
    const events = new EventBlocks(new BlockPool(0));
    const json = JSON.stringify({ text: "héllo 🌧️ 雨" });
    assert.equal(events.push("messages", json), "messages".length + Buffer.byteLength(json));
    assert.deepEqual(events.at(0), { name: "messages", json });
  });

  it("gives an event larger than a block a block of its own", () => {
    const events = new EventBlocks(new BlockPool(4));
    const big = JSON.stringify("z".repeat(BLOCK_BYTES * 2));
    events.push("values", "1");
    events.push("values", big);
    events.push("values", "2");
    assert.deepEqual(all(events).map((each) => each.json), ["1", big, "2"]);
  });

  it("emptied to nothing, it takes events again from the start of its block", () => {
    const events = new EventBlocks(new BlockPool(4));
    const big = JSON.stringify("b".repeat(40_000));
    for (let round = 0; round < 3; round++) {
      events.push("values", big);
      assert.deepEqual(events.at(0), { name: "values", json: big });
      events.shift();
      assert.equal(events.count, 0);
    }
    events.push("values", "1");
    events.push("values", big);
    assert.deepEqual(all(events).map((each) => each.json), ["1", big]);
    events.shift();
    events.shift();
    assert.equal(events.size, 0);
  });

  it("returns emptied blocks to the pool, and the next run reuses them", () => {
    const pool = new BlockPool(8);
    const taken: Buffer[] = [];
    const take = pool.take.bind(pool);
    pool.take = (size) => {
      const bytes = take(size);
      taken.push(bytes);
      return bytes;
    };
    const one = new EventBlocks(pool);
    for (let index = 0; index < 1_000; index++) one.push("messages", JSON.stringify("w".repeat(500)));
    const full = (buffers: Buffer[]) => new Set(buffers.filter((bytes) => bytes.length === BLOCK_BYTES));
    const fullOfOne = full(taken);
    assert.deepEqual(
      taken.slice(0, 5).map((bytes) => bytes.length),
      [FIRST_BLOCK_BYTES, 2 * FIRST_BLOCK_BYTES, 4 * FIRST_BLOCK_BYTES, 8 * FIRST_BLOCK_BYTES, BLOCK_BYTES],
      "blocks double from the first one up to the full size",
    );
    assert.ok(fullOfOne.size >= 5, `${fullOfOne.size} full blocks`);
    assert.equal(one.held, taken.reduce((sum, bytes) => sum + bytes.length, 0));
    one.clear();
    assert.equal(one.count, 0);
    assert.equal(one.size, 0);
    assert.equal(one.held, 0);
    const two = new EventBlocks(pool);
    const before = taken.length;
    for (let index = 0; index < 1_000; index++) two.push("messages", JSON.stringify("v".repeat(500)));
    const fullOfTwo = full(taken.slice(before));
    assert.ok([...fullOfTwo].every((bytes) => fullOfOne.has(bytes)), "the second log's full blocks are the first one's, from the pool");
  });
});
