// After tsc: bundle the chat page `weft serve` shows at / into dist/server/demo-chat/app.js, so an
// installed weft serves it without esbuild. Run by `npm run build`.
import { writeFileSync } from "node:fs";
import { buildDemoChatScript } from "../dist/server/demo-chat-page.js";

const target = new URL("../dist/server/demo-chat/app.js", import.meta.url);
writeFileSync(target, await buildDemoChatScript());
console.log(`build-demo-chat: wrote ${target.pathname}`);
