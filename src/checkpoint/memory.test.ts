import { MemorySaver } from "./memory.js";
import { registerCheckpointerConformance } from "weft/checkpoint/conformance";

registerCheckpointerConformance("MemorySaver", async () => ({ saver: new MemorySaver(), cleanup: async () => {} }));
