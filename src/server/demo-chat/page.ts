// The chat page `weft serve` shows at GET /: the AI SDK's useChat on the server's /ai-sdk routes, with
// the threads of the assistant listed beside it. Browser code, bundled into one script (demo-chat-page.ts);
// it is the whole client: no fetch code of its own for the conversation, only for the thread list.
import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, type UIMessage } from "ai";
import { createElement as h, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";

type Part = { type: string; text?: string; state?: string; input?: unknown; output?: unknown; errorText?: string; data?: { value?: unknown } };

const root = document.getElementById("root")!;
const assistantId = new URLSearchParams(location.search).get("assistant") ?? root.dataset.assistant!;
const apiKey = new URLSearchParams(location.hash.slice(1)).get("key");
const headers: Record<string, string> = apiKey ? { "X-Api-Key": apiKey } : {};
const api = `${location.origin}/ai-sdk/${encodeURIComponent(assistantId)}`;

function chatIdOfPage(): string {
  const given = new URLSearchParams(location.search).get("chat");
  if (given) return given;
  const id = `chat-${crypto.randomUUID()}`;
  history.replaceState(null, "", `?${new URLSearchParams({ assistant: assistantId, chat: id })}${location.hash}`);
  return id;
}

function PartView({ part, onAnswer }: { part: Part; onAnswer: (value: string) => void }) {
  if (part.type === "text") return h("p", { className: "text" }, part.text);
  if (part.type === "reasoning") return h("details", { className: "reasoning" }, h("summary", null, "Reasoning"), part.text);
  if (part.type === "data-interrupt") {
    return h(
      "div",
      { className: "interrupt" },
      h("span", null, String(part.data?.value ?? "")),
      h("button", { className: "approve", onClick: () => onAnswer("yes") }, "Yes"),
      h("button", { className: "deny", onClick: () => onAnswer("no") }, "No"),
    );
  }
  if (part.type.startsWith("tool-")) {
    const failed = part.state === "output-error";
    return h(
      "div",
      { className: `tool ${failed ? "failed" : ""}`, "data-tool": part.type.slice(5), "data-state": part.state },
      h("strong", null, part.type.slice(5)),
      h("code", { className: "input" }, JSON.stringify(part.input ?? null)),
      h("output", null, failed ? part.errorText : part.state === "output-available" ? String(typeof part.output === "string" ? part.output : JSON.stringify(part.output)) : "…"),
    );
  }
  return null;
}

function Threads({ current, refresh }: { current: string; refresh: number }) {
  const [threads, setThreads] = useState<Array<{ thread_id: string; updated_at: string }>>([]);
  useEffect(() => {
    void fetch(`${location.origin}/threads/search`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ metadata: { graph_id: assistantId }, limit: 20 }),
    })
      .then((response) => (response.ok ? response.json() : []))
      .then(setThreads);
  }, [refresh]);
  return h(
    "nav",
    { id: "threads" },
    h("a", { id: "new-chat", href: `?${new URLSearchParams({ assistant: assistantId })}${location.hash}` }, "New chat"),
    h(
      "ul",
      null,
      threads.map((thread) =>
        h(
          "li",
          { key: thread.thread_id, className: thread.thread_id === current ? "current" : "" },
          h("a", { href: `?${new URLSearchParams({ assistant: assistantId, chat: thread.thread_id })}${location.hash}`, "data-thread": thread.thread_id }, new Date(thread.updated_at).toLocaleString()),
        ),
      ),
    ),
  );
}

function Chat({ chatId, initial }: { chatId: string; initial: UIMessage[] }) {
  const transport = useMemo(() => new DefaultChatTransport<UIMessage>({ api, headers }), []);
  const { messages, sendMessage, status, stop, regenerate, error } = useChat({ id: chatId, messages: initial, resume: true, transport });
  const [input, setInput] = useState("");
  useEffect(() => {
    document.body.dataset.status = status;
  }, [status]);
  const onAnswer = (value: string) => void sendMessage(undefined, { body: { resume: value } });
  const stopRun = () => void Promise.all([stop(), fetch(`${api}/${encodeURIComponent(chatId)}/stop`, { method: "POST", headers })]);
  return h(
    "div",
    { className: "layout" },
    h(Threads, { current: chatId, refresh: messages.length }),
    h(
      "main",
      null,
      h(
        "ol",
        { id: "messages" },
        messages.map((message) =>
          h("li", { key: message.id, className: message.role, "data-role": message.role }, (message.parts as Part[]).map((part, index) => h(PartView, { key: index, part, onAnswer }))),
        ),
      ),
      error ? h("p", { id: "error", role: "alert" }, error.message) : null,
      h(
        "form",
        {
          onSubmit: (event: { preventDefault(): void }) => {
            event.preventDefault();
            if (input.trim() === "") return;
            void sendMessage({ text: input });
            setInput("");
          },
        },
        h("input", { id: "input", value: input, placeholder: "Ask about the weather somewhere, e.g. Weather in Paris?", autoComplete: "off", onChange: (event: { target: { value: string } }) => setInput(event.target.value) }),
        h("button", { id: "send", type: "submit", disabled: status !== "ready" }, "Send"),
        h("button", { id: "stop", type: "button", disabled: status === "ready", onClick: stopRun }, "Stop"),
        h("button", { id: "regenerate", type: "button", disabled: status !== "ready" || messages.length === 0, onClick: () => void regenerate() }, "Regenerate"),
      ),
    ),
  );
}

const chatId = chatIdOfPage();
const saved = await fetch(`${api}/${encodeURIComponent(chatId)}/messages`, { headers });
createRoot(root).render(h(Chat, { chatId, initial: saved.ok ? ((await saved.json()) as UIMessage[]) : [] }));
