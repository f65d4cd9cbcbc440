// GET /api/chat/:id/stream: where useChat({ resume: true }) reconnects after a reload. It gets the
// active response from its first chunk, or 204 when none is streaming.
import { streams } from "../../../../../lib/streams.js";

export async function GET(_request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await context.params;
  return streams.resume(id);
}
