// The agent demo: a ReAct agent with two small offline tools, and a scripted model that calls them,
// for `weft demo --agent` when no tool-calling model is configured.
import { WeftError } from "../errors.js";
import type { BaseChatModel } from "../models/chat-model.js";
import { tool } from "../models/tool.js";
import { createReactAgent } from "../prebuilt/react-agent.js";
import { FakeChatModel } from "../testing/fake-chat-model.js";
import { splitWords } from "../testing/fake-chat-model.js";

/** A made-up but stable forecast, so the demo needs no network. */
export const getWeather = tool(
  async ({ city }: { city: string }, config) => {
    config.writer({ status: `asking the weather station in ${city}` });
    const sky = ["sunny", "cloudy", "rainy", "windy"][[...city].reduce((sum, letter) => sum + letter.charCodeAt(0), 0) % 4];
    return `${sky}, ${12 + (city.length % 10)}°C`;
  },
  {
    name: "get_weather",
    description: "The current weather in a city",
    schema: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"], additionalProperties: false },
  },
);

export const convertTemperature = tool(
  async ({ celsius }: { celsius: number }) => `${Math.round((celsius * 9) / 5 + 32)}°F`,
  {
    name: "celsius_to_fahrenheit",
    description: "Convert a temperature from Celsius to Fahrenheit",
    schema: { type: "object", properties: { celsius: { type: "number" } }, required: ["celsius"], additionalProperties: false },
  },
);

export const DEMO_TOOLS = [getWeather, convertTemperature];

export const DEMO_PROMPT = "You are a weather assistant. Use the tools; answer in one or two sentences.";

/** A scripted model that calls both tools at once for `city`, then answers from their results. */
export function scriptedAgentModel(city: string, tokensPerSecond: number): FakeChatModel {
  if (typeof city !== "string" || city.trim() === "") throw new WeftError("INVALID_OPTIONS", "The agent demo needs a city: --topic Paris.");
  return new FakeChatModel({
    model: "scripted-agent",
    delayMs: tokensPerSecond > 0 ? 1000 / tokensPerSecond : 0,
    responses: [
      {
        reasoning: splitWords(`The user wants the weather in ${city}; I will ask the weather tool and convert 20°C for them.`),
        content: `Let me check ${city}.`,
        toolCalls: [
          { name: "get_weather", args: { city } },
          { name: "celsius_to_fahrenheit", args: { celsius: 20 } },
        ],
      },
      { content: `The weather tool has the answer for ${city}, and 20°C is 68°F. Enjoy your day!` },
    ],
  });
}

export function createDemoAgent(llm: BaseChatModel) {
  return createReactAgent({ llm, tools: DEMO_TOOLS, prompt: DEMO_PROMPT, name: "weather_agent" });
}
