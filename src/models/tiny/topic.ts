// Reads what the prompt asks for (a joke or a poem, and about what) and swaps topic words.

export type TinyStyle = "joke" | "poem";

export interface PromptRequest {
  style: TinyStyle;
  /** The topic as written, lowercased ("cats", "dark chocolate"), or undefined when none was given. */
  topic: string | undefined;
}

const STYLE_WORDS = /\b(jokes?|funny|puns?|poems?|poetry|verses?|rhymes?|haikus?|limericks?)\b/gi;
const POEM_WORDS = /^(poems?|poetry|verses?|rhymes?|haikus?|limericks?)$/i;
const STOP_WORDS = new Set(
  "a an the write tell me us give make please short long little some about on of for with and or to in my your our one two three new good nice another".split(" "),
);

/** The style and topic of a prompt such as "Write a short poem about cats". Defaults to a joke. */
export function readPrompt(prompt: string): PromptRequest {
  const styleWord = prompt.match(STYLE_WORDS)?.[0];
  const style: TinyStyle = styleWord !== undefined && POEM_WORDS.test(styleWord) ? "poem" : "joke";
  const about = prompt.match(/\b(?:about|on|of)\s+(.+)$/i)?.[1] ?? prompt;
  const words = (about.toLowerCase().match(/[a-z0-9]+(?:['-][a-z0-9]+)*/g) ?? [])
    .filter((word) => !STOP_WORDS.has(word) && !new RegExp(STYLE_WORDS.source, "i").test(word))
    .slice(0, 3);
  return { style, topic: words.length > 0 ? words.join(" ") : undefined };
}

/** The singular of an English noun, by the common rules ("boxes" -> "box", "cities" -> "city"). */
export function singular(word: string): string {
  if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh|zz)es$/.test(word)) return word.slice(0, -2);
  if (/[^s]s$/.test(word) && !/(us|is)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** The plural of an English noun, by the common rules ("box" -> "boxes", "city" -> "cities"). */
export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|ch|sh|z)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** The word forms that count as mentioning `topic`: its last word, singular and plural. */
export function topicForms(topic: string): Set<string> {
  const words = topic.split(" ");
  const head = singular(words[words.length - 1]!);
  return new Set([head, plural(head)]);
}

/**
 * Replace mentions of `from` (a one-word corpus topic) by `to` (the user's topic), keeping number
 * and a leading capital: with from "dog" and to "dark chocolate", "Dogs" -> "Dark chocolates".
 */
export function substituteTopic(tokens: readonly string[], from: string, to: string): string[] {
  const words = to.split(" ");
  const head = singular(words[words.length - 1]!);
  const singularTo = [...words.slice(0, -1), head].join(" ");
  const pluralTo = [...words.slice(0, -1), plural(head)].join(" ");
  const fromSingular = singular(from);
  const fromPlural = plural(fromSingular);
  return tokens.map((token) => {
    const lower = token.toLowerCase();
    const replacement = lower === fromSingular ? singularTo : lower === fromPlural ? pluralTo : undefined;
    if (replacement === undefined) return token;
    return token[0] === token[0]!.toUpperCase() ? replacement[0]!.toUpperCase() + replacement.slice(1) : replacement;
  });
}
