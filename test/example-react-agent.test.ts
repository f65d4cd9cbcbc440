// examples/react-agent.ts: the agent it builds answers from both tool results.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { agent } from "../examples/react-agent.js";

describe("examples/react-agent.ts", () => {
  it("calls get_weather twice and answers from both results", async () => {
    const { messages } = await agent.invoke({ messages: [{ role: "user", content: "What is the weather in Paris and Oslo?" }] });
    assert.deepEqual(
      messages.map((message) => [message.type, message.text]),
      [
        ["human", "What is the weather in Paris and Oslo?"],
        ["ai", "Let me look both up."],
        ["tool", "18°C and sunny"],
        ["tool", "12°C and cloudy"],
        ["ai", "Paris is 18°C and sunny; Oslo is 12°C and cloudy."],
      ],
    );
  });
});
