import assert from "node:assert/strict";
import { it } from "node:test";
import { newCheckpointId } from "./checkpoint-id.js";

it("checkpoint ids are unique and sort in creation order, even many per millisecond or with the clock going back", () => {
  const ids = [newCheckpointId(), ...Array.from({ length: 10_000 }, () => newCheckpointId(1)), newCheckpointId()];
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-6[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
