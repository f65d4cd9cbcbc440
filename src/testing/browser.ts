// `weft/testing` where there is no Node (browsers, edge runtimes; package.json "browser", "worker"
// and "edge-light" conditions): everything in index.ts but the HTTP test server.
export { FakeChatModel, splitWords, type FakeChatModelOptions } from "./fake-chat-model.js";
export { FaultPlan, type Fault, type FaultKind, type RandomFaultOptions } from "./fault-plan.js";
