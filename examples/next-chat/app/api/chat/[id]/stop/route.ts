// POST /api/chat/:id/stop: the page's Stop button. With resuming, useChat's stop() only stops reading
// and the run goes on; this cancels it: the chat's active response ends and its run is aborted.
import { streams } from "../../../../../lib/streams.js";

export async function POST(_request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  await streams.stop(id);
  return new Response(null, { status: 204 });
}
