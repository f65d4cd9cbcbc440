"use client";
// The chat page: the AI SDK's useChat, pointed at /api/chat (its default). Tool parts are `tool-<name>`.
// Stop stops reading (useChat's stop()) and cancels the run on the server (the stop route): with
// `resume: true` the run would otherwise go on.
import { useChat } from "@ai-sdk/react";
import { useState } from "react";

export default function Chat() {
  const { id, messages, sendMessage, status, stop } = useChat({ id: "demo", resume: true });
  const [input, setInput] = useState("");
  const stopRun = () => void Promise.all([stop(), fetch(`/api/chat/${encodeURIComponent(id)}/stop`, { method: "POST" })]);
  return (
    <main>
      {messages.map((message) => (
        <div key={message.id} className={message.role}>
          {message.parts.map((part, index) => {
            if (part.type === "text") return <p key={index}>{part.text}</p>;
            if (part.type === "reasoning") return <details key={index}><summary>Thinking</summary>{part.text}</details>;
            if (part.type === "tool-get_weather") {
              return (
                <p key={index}>
                  get_weather({JSON.stringify(part.input)}) {part.state === "output-available" ? `→ ${String(part.output)}` : "…"}
                </p>
              );
            }
            if (part.type === "data-weather") return <small key={index}>{JSON.stringify(part.data)}</small>;
            return null;
          })}
        </div>
      ))}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void sendMessage({ text: input });
          setInput("");
        }}
      >
        <input value={input} onChange={(event) => setInput(event.target.value)} placeholder="Ask about the weather" />
        <button type="submit" disabled={status !== "ready"}>Send</button>
        {status === "streaming" || status === "submitted" ? <button type="button" onClick={stopRun}>Stop</button> : null}
      </form>
    </main>
  );
}
