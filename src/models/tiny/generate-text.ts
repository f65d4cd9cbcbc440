// How the tiny model writes: pick an opening from a corpus entry on the topic, continue it word by
// word from the trigram model (topic words favoured), and reject results that copy the corpus.
import { type CorpusEntry, loadCorpus } from "./corpus.js";
import { END, NgramModel } from "./ngram-model.js";
import { seededRandom } from "../../core/seeded-random.js";
import { type TinyStyle, substituteTopic, topicForms } from "./topic.js";

export interface GenerateOptions {
  style: TinyStyle;
  /** The user's topic, lowercased; undefined lets the model pick one of its own. */
  topic: string | undefined;
  seed: number;
  /** 0 picks the most likely word every time; higher values make rarer words likelier. */
  temperature: number;
  maxTokens: number;
}

export interface Generation {
  tokens: string[];
  /** "stop" when the model ended the text itself, "length" when maxTokens cut it. */
  finishReason: "stop" | "length";
  /** The corpus topic written about; differs from the user's topic when it was substituted. */
  corpusTopic: string;
}

interface StyleModel {
  model: NgramModel;
  entries: CorpusEntry[];
  /** Every corpus entry as its tokens joined by spaces, to recognise a verbatim copy. */
  verbatim: Set<string>;
  topics: string[];
}

/** Limits that keep a joke a joke and a poem short. */
const SHAPE: Record<TinyStyle, { minTokens: number; maxTokens: number; minLines: number; maxLines: number }> = {
  joke: { minTokens: 10, maxTokens: 60, minLines: 1, maxLines: 1 },
  poem: { minTokens: 16, maxTokens: 90, minLines: 3, maxLines: 4 },
};
const ATTEMPTS = 40;
const TOPIC_WORD_BOOST = 6;
const TOPIC_VOCABULARY_BOOST = 1.5;
const REPEAT_PENALTY = 0.25;

const models = new Map<TinyStyle, StyleModel>();

function styleModel(style: TinyStyle): StyleModel {
  let built = models.get(style);
  if (built === undefined) {
    const entries = loadCorpus(style);
    built = {
      model: new NgramModel(entries.map((entry) => entry.tokens)),
      entries,
      verbatim: new Set(entries.map((entry) => entry.tokens.join(" "))),
      topics: [...new Set(entries.map((entry) => entry.topic))],
    };
    models.set(style, built);
  }
  return built;
}

/** Write one joke or poem. The same options always give the same tokens. */
export function generateText(options: GenerateOptions): Generation {
  const { model, entries, verbatim, topics } = styleModel(options.style);
  const random = seededRandom(options.seed);
  const mentions = (entry: CorpusEntry, forms: Set<string>) => entry.tokens.some((token) => forms.has(token.toLowerCase()));

  // The corpus topic to write about: the user's, or a stand-in swapped for it at the end.
  let corpusTopic = options.topic ?? topics[Math.floor(random() * topics.length)]!;
  let forms = topicForms(corpusTopic);
  let onTopic = entries.filter((entry) => mentions(entry, forms));
  if (onTopic.length === 0) {
    corpusTopic = topics[Math.floor(random() * topics.length)]!;
    forms = topicForms(corpusTopic);
    onTopic = entries.filter((entry) => mentions(entry, forms));
  }
  const vocabulary = new Set(onTopic.flatMap((entry) => entry.tokens.map((token) => token.toLowerCase())));
  const shape = SHAPE[options.style];
  const limit = Math.min(options.maxTokens, shape.maxTokens);

  let chosen: { tokens: string[]; finished: boolean } | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // A retry at temperature 0 would repeat itself; retries sample a little.
    const temperature = attempt === 0 ? options.temperature : Math.max(options.temperature, 0.6);
    const entry = onTopic[Math.floor(random() * onTopic.length)]!;
    const candidate = continueText(model, opening(entry, forms), { random, temperature, forms, vocabulary, limit, shape });
    const copied = verbatim.has(candidate.tokens.join(" "));
    const onSubject = candidate.tokens.some((token) => forms.has(token.toLowerCase()));
    const lines = candidate.tokens.filter((token) => token === "\n").length + 1;
    const complete = !candidate.finished || (candidate.tokens.length >= shape.minTokens && lines >= shape.minLines);
    if (!copied && ((onSubject && complete) || attempt === ATTEMPTS - 1)) {
      chosen = candidate;
      break;
    }
    if (!copied) chosen ??= candidate;
  }
  chosen ??= { tokens: [], finished: true };
  // A text that ends on a line's comma gets a full stop instead.
  if (chosen.finished && /^[,;:]$/.test(chosen.tokens[chosen.tokens.length - 1] ?? "")) chosen.tokens[chosen.tokens.length - 1] = ".";
  const tokens = options.topic !== undefined && corpusTopic !== options.topic && !forms.has(options.topic)
    ? substituteTopic(chosen.tokens, corpusTopic, options.topic)
    : chosen.tokens;
  return { tokens, finishReason: chosen.finished ? "stop" : "length", corpusTopic };
}

/** The start of `entry` up to its first topic word (if that comes early), else its first word. */
function opening(entry: CorpusEntry, forms: Set<string>): string[] {
  const index = entry.tokens.findIndex((token) => forms.has(token.toLowerCase()));
  return index >= 0 && index < 6 ? entry.tokens.slice(0, index + 1) : entry.tokens.slice(0, 1);
}

interface ContinueOptions {
  random: () => number;
  temperature: number;
  forms: Set<string>;
  vocabulary: Set<string>;
  limit: number;
  shape: { minTokens: number; minLines: number; maxLines: number };
}

function continueText(model: NgramModel, start: string[], options: ContinueOptions): { tokens: string[]; finished: boolean } {
  const tokens = start.slice(0, options.limit);
  let lines = tokens.filter((token) => token === "\n").length;
  while (tokens.length < options.limit) {
    const weights = model.nextWords(tokens[tokens.length - 2] ?? "<s>", tokens[tokens.length - 1] ?? "<s>");
    // Shape the text: no ending before the minimum length, no more lines than allowed.
    if (tokens.length < options.shape.minTokens) weights.delete(END);
    const lineBreak = weights.get("\n");
    if (lineBreak !== undefined && lines + 1 >= options.shape.maxLines) {
      weights.delete("\n");
      if (tokens.length >= options.shape.minTokens) weights.set(END, (weights.get(END) ?? 0) + lineBreak);
    }
    for (const [word, weight] of weights) {
      const lower = word.toLowerCase();
      let adjusted = weight;
      if (options.forms.has(lower)) adjusted *= TOPIC_WORD_BOOST;
      else if (options.vocabulary.has(lower)) adjusted *= TOPIC_VOCABULARY_BOOST;
      if (lower.length > 3 && tokens.filter((token) => token.toLowerCase() === lower).length >= 2) adjusted *= REPEAT_PENALTY;
      weights.set(word, adjusted);
    }
    const next = sample(weights, options.temperature, options.random);
    if (next === undefined || next === END) return { tokens, finished: true };
    if (next === "\n") lines++;
    tokens.push(next);
  }
  return { tokens, finished: false };
}

/** Draw a word from `weights` sharpened or flattened by `temperature` (0: the heaviest word). */
function sample(weights: Map<string, number>, temperature: number, random: () => number): string | undefined {
  if (weights.size === 0) return undefined;
  if (temperature === 0) {
    let best: string | undefined;
    let bestWeight = -1;
    for (const [word, weight] of weights) {
      if (weight > bestWeight) {
        best = word;
        bestWeight = weight;
      }
    }
    return best;
  }
  const scaled = [...weights].map(([word, weight]) => [word, weight ** (1 / temperature)] as const);
  let total = 0;
  for (const [, weight] of scaled) total += weight;
  let point = random() * total;
  for (const [word, weight] of scaled) {
    point -= weight;
    if (point <= 0) return word;
  }
  return scaled[scaled.length - 1]![0];
}
