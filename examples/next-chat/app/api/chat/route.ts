// POST /api/chat: what useChat calls. The whole conversation comes in as UI messages; the answer goes
// out as the AI SDK's UI message stream, token by token. Kept for resuming, the run goes on when the page
// stops reading (useChat's stop(), a reload, a closed tab): POST /api/chat/:id/stop cancels it.
import { type UIMessage, fromUIMessages, toUIMessageStream } from "weft/ai-sdk/ui";
import { agent } from "../../../lib/agent.js";
import { streams } from "../../../lib/streams.js";

export async function POST(request: Request): Promise<Response> {
  const { id, messages } = (await request.json()) as { id: string; messages: UIMessage[] };
  const stream = agent.stream({ messages: fromUIMessages(messages) }, { streamMode: ["messages", "custom", "tools"] });
  // Without resuming, `return toUIMessageStreamResponse(stream);` is all it takes: a client that goes
  // away (useChat's stop()) cancels the run. Kept for resuming, the run goes on until it ends or streams.stop(id).
  return streams.respond(id, toUIMessageStream(stream));
}
