// The agent behind the chat: a ReAct agent with one tool. Swap the model for any Weft chat model.
import { z } from "zod";
import { tool } from "weft";
import { ChatOpenAI } from "weft/openai";
import { createReactAgent } from "weft/prebuilt";

const getWeather = tool(
  async ({ city }: { city: string }, config) => {
    // A custom-mode write { type, id?, data } reaches useChat as a `data-weather` part.
    config.writer({ type: "weather", id: city, data: { city, status: "looking up" } });
    return `Sunny and 21°C in ${city}`;
  },
  { name: "get_weather", description: "The current weather in a city", schema: z.object({ city: z.string() }) },
);

export const agent = createReactAgent({
  llm: new ChatOpenAI({ model: "gpt-4o-mini" }),
  tools: [getWeather],
  prompt: "You are a helpful assistant. Be brief.",
});
