// Reads the tiny model's training text: corpus/jokes.txt and corpus/poems.txt at the package root.
// This file sits three folders below the root both as src/models/tiny/corpus.ts and as
// dist/models/tiny/corpus.js, so one relative URL finds the corpus from either.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { WeftError, describeError } from "../../errors.js";
import type { TinyStyle } from "./topic.js";
import { tokenizeWords } from "./word-tokens.js";

/** One joke or poem of the corpus. */
export interface CorpusEntry {
  /** The group it was written under ("cat", "coffee", ...). */
  topic: string;
  text: string;
  tokens: string[];
}

export const CORPUS_DIRECTORY = new URL("../../../corpus/", import.meta.url);

/**
 * Parse a corpus file. Lines starting with "# " are comments, "## topic" starts a group; a joke is
 * one line, a poem is a run of lines ended by a blank line.
 */
export function parseCorpus(text: string, style: TinyStyle): CorpusEntry[] {
  const entries: CorpusEntry[] = [];
  let topic = "";
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const entryText = lines.join("\n");
    entries.push({ topic, text: entryText, tokens: tokenizeWords(entryText) });
    lines = [];
  };
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line.startsWith("## ")) {
      flush();
      topic = line.slice(3).trim().toLowerCase();
    } else if (line.startsWith("#")) {
      continue;
    } else if (line === "") {
      flush();
    } else {
      lines.push(line);
      if (style === "joke") flush();
    }
  }
  flush();
  return entries;
}

const cache = new Map<TinyStyle, CorpusEntry[]>();

/** The entries of one style, read from disk once per process. */
export function loadCorpus(style: TinyStyle): CorpusEntry[] {
  let entries = cache.get(style);
  if (entries === undefined) {
    const file = new URL(style === "joke" ? "jokes.txt" : "poems.txt", CORPUS_DIRECTORY);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new WeftError(
        "MODEL_NOT_FOUND",
        `The tiny model's corpus is missing: cannot read ${fileURLToPath(file)} (${describeError(error)}). ` +
          'It ships in the package\'s "corpus" folder; reinstall weft, or keep corpus/ next to dist/ and src/.',
        { cause: error },
      );
    }
    entries = parseCorpus(text, style);
    cache.set(style, entries);
  }
  return entries;
}
