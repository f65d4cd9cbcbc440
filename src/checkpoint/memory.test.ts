import { MemorySaver } from "./memory.js";
import { registerCheckpointerConformance } from "./conformance.js";

registerCheckpointerConformance("MemorySaver", async () => ({ saver: new MemorySaver(), cleanup: async () => {} }));
