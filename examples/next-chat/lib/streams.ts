// The active responses, kept so a reloaded page can resume them (one server process; for several,
// pass `consumeSseStream` to toUIMessageStreamResponse and store the stream with `resumable-stream`).
import { ResumableUIMessageStreams } from "weft/ai-sdk/ui";

export const streams = new ResumableUIMessageStreams();
