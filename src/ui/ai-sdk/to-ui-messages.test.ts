import assert from "node:assert/strict";
import { it } from "node:test";
import { validateUIMessages } from "ai";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "../../core/messages.js";
import { fromUIMessages } from "./from-ui-messages.js";
import { toUIMessages } from "./to-ui-messages.js";

it("toUIMessages: each assistant turn is one UI message with its steps, tool parts and their results; the AI SDK accepts them; fromUIMessages reads them back", async () => {
  const messages = [
    new SystemMessage("Be brief.", { id: "s" }),
    new HumanMessage("Weather in Oslo and Rome?", { id: "u1" }),
    new AIMessage("Checking.", { id: "a1", toolCalls: [{ id: "c1", name: "get_weather", args: { city: "Oslo" } }, { id: "c2", name: "get_weather", args: { city: "Rome" } }] }),
    new ToolMessage("Sunny", "c1", { id: "t1", name: "get_weather" }),
    new ToolMessage("No such city", "c2", { id: "t2", name: "get_weather", status: "error" }),
    new AIMessage("Oslo is sunny.", { id: "a2", reasoning: "One answer failed." }),
    new HumanMessage("Thanks", { id: "u2" }),
  ];
  const ui = toUIMessages(messages);
  assert.deepEqual(ui, [
    { id: "s", role: "system", parts: [{ type: "text", text: "Be brief.", state: "done" }] },
    { id: "u1", role: "user", parts: [{ type: "text", text: "Weather in Oslo and Rome?", state: "done" }] },
    {
      id: "a1",
      role: "assistant",
      parts: [
        { type: "step-start" },
        { type: "text", text: "Checking.", state: "done" },
        { type: "tool-get_weather", toolCallId: "c1", state: "output-available", input: { city: "Oslo" }, output: "Sunny" },
        { type: "tool-get_weather", toolCallId: "c2", state: "output-error", input: { city: "Rome" }, errorText: "No such city" },
        { type: "step-start" },
        { type: "reasoning", text: "One answer failed.", state: "done" },
        { type: "text", text: "Oslo is sunny.", state: "done" },
      ],
    },
    { id: "u2", role: "user", parts: [{ type: "text", text: "Thanks", state: "done" }] },
  ]);
  await validateUIMessages({ messages: ui as never });
  const back = fromUIMessages(ui);
  assert.deepEqual(
    back.map((message) => [message.role, message.text, message.toolCalls.map((call) => call.id), message.toolCallId]),
    messages.map((message) => [message.role, message.text, message.toolCalls.map((call) => call.id), message.toolCallId]),
  );
});
