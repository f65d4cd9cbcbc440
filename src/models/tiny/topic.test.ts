import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCorpus } from "./corpus.js";
import { plural, readPrompt, singular, substituteTopic } from "./topic.js";
import { toTextChunks, tokenizeWords } from "./word-tokens.js";

describe("readPrompt", () => {
  it("reads the style and the topic of the seed's prompts and a few others", () => {
    assert.deepEqual(readPrompt("Write a joke about cats"), { style: "joke", topic: "cats" });
    assert.deepEqual(readPrompt("Write a short poem about cats"), { style: "poem", topic: "cats" });
    assert.deepEqual(readPrompt("A haiku on dark chocolate, please!"), { style: "poem", topic: "dark chocolate" });
    assert.deepEqual(readPrompt("Tell me a joke"), { style: "joke", topic: undefined });
    assert.deepEqual(readPrompt("penguins"), { style: "joke", topic: "penguins" });
  });
});

describe("word forms and topic substitution", () => {
  it("turns nouns singular and plural by the common rules", () => {
    assert.deepEqual(["cats", "boxes", "cities", "glass", "bus", "mouse"].map(singular), ["cat", "box", "city", "glass", "bus", "mouse"]);
    assert.deepEqual(["cat", "box", "city", "day"].map(plural), ["cats", "boxes", "cities", "days"]);
  });

  it("swaps a corpus topic for the user's, keeping number and capitals", () => {
    assert.deepEqual(
      substituteTopic(["Dogs", "love", "a", "dog", "."], "dog", "dark chocolate"),
      ["Dark chocolates", "love", "a", "dark chocolate", "."],
    );
  });
});

describe("tokens", () => {
  it("splits words, punctuation and line breaks, and streams them with normal spacing", () => {
    const tokens = tokenizeWords("Why, cat?\nIt's a cat-astrophe!");
    assert.deepEqual(tokens, ["Why", ",", "cat", "?", "\n", "It's", "a", "cat-astrophe", "!"]);
    assert.deepEqual(toTextChunks(tokens), ["Why", ",", " cat", "?", "\n", "It's", " a", " cat-astrophe", "!"]);
  });

  it("parses corpus files: comments, topic groups, one-line jokes, blank-line separated poems", () => {
    const text = "# comment\n## cat\nA joke.\nAnother joke.\n\n## dog\nLine one,\nline two.\n\nPoem two.\n";
    assert.deepEqual(parseCorpus(text, "joke").map((entry) => [entry.topic, entry.text]), [
      ["cat", "A joke."],
      ["cat", "Another joke."],
      ["dog", "Line one,"],
      ["dog", "line two."],
      ["dog", "Poem two."],
    ]);
    assert.deepEqual(parseCorpus(text, "poem").map((entry) => [entry.topic, entry.text]), [
      ["cat", "A joke.\nAnother joke."],
      ["dog", "Line one,\nline two."],
      ["dog", "Poem two."],
    ]);
  });
});
