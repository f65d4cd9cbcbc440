import { StateGraph, START, BaseChatModel } from "weft";
import { FakeChatModel } from "weft/testing";
const N = 20000;
const tokens = Array.from({length:N}, (_, i) => `t${i % 100} `);
class Bench extends BaseChatModel { provider="bench"; modelName="bench"; constructor(){super({}); this.produced=0;} async *streamParts(){ for (const t of tokens){ this.produced++; yield t; } } }
const model = process.env.MODEL === "fake" ? new FakeChatModel({ responses: [tokens] }) : new Bench();
const graph = new StateGraph().addNode("call", async (s, config) => { const r = await model.invoke("hi", process.env.IMPLICIT ? undefined : config); return { text: r.content }; }).addEdge(START, "call").compile();
let probeCount = 0;
async function once(){ let n=0, chars=0; for await (const [c] of graph.stream({text:""}, { streamMode: "messages" })) { n++; chars += c.content.length; if (++probeCount % 1024 === 0) process.memoryUsage.rss(); } if (n!==N) throw new Error("lost "+n); }
for (let i=0;i<5;i++){ await once(); }
const r=[], c=[];
for (let i=0;i<9;i++){ let t=performance.now(); const u=process.cpuUsage(); await once(); r.push(performance.now()-t); const d=process.cpuUsage(u); c.push((d.user+d.system)/1000); }
r.sort((x,y)=>x-y); c.sort((x,y)=>x-y);
console.log(process.env.MODEL??"bench", "wall", (r[4]*1e6/N).toFixed(0), "min", (r[0]*1e6/N).toFixed(0), "cpu", (c[4]*1e6/N).toFixed(0), "ns/token", "runs", r.map(x=>x.toFixed(0)).join(","));
