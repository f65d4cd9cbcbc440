// A word-level trigram language model with interpolated backoff to bigrams and unigrams.

export const START = "<s>";
export const END = "</s>";

type Counts = Map<string, number>;

/** Weights of the trigram, bigram and unigram estimates (interpolated, so new word paths appear). */
const TRIGRAM_WEIGHT = 0.6;
const BIGRAM_WEIGHT = 0.3;
const UNIGRAM_WEIGHT = 0.1;

/** Word counts of token sequences, and the next-word distribution they imply. */
export class NgramModel {
  private readonly trigrams = new Map<string, Counts>();
  private readonly bigrams = new Map<string, Counts>();
  private readonly unigrams: Counts = new Map();
  private unigramTotal = 0;

  constructor(sequences: Iterable<readonly string[]>) {
    for (const sequence of sequences) this.add(sequence);
  }

  private add(sequence: readonly string[]): void {
    const padded = [START, START, ...sequence, END];
    for (let index = 2; index < padded.length; index++) {
      const word = padded[index]!;
      increment(this.trigrams, `${padded[index - 2]} ${padded[index - 1]}`, word);
      increment(this.bigrams, padded[index - 1]!, word);
      this.unigrams.set(word, (this.unigrams.get(word) ?? 0) + 1);
      this.unigramTotal++;
    }
  }

  /**
   * The probability of each candidate next word after `first second`. Candidates are the words seen
   * after `second` (or after the pair); with neither, every word, by frequency.
   */
  nextWords(first: string, second: string): Map<string, number> {
    const trigram = this.trigrams.get(`${first} ${second}`);
    const bigram = this.bigrams.get(second);
    const result = new Map<string, number>();
    if (trigram === undefined && bigram === undefined) {
      for (const [word, count] of this.unigrams) result.set(word, count / this.unigramTotal);
      return result;
    }
    const trigramTotal = trigram ? total(trigram) : 0;
    const bigramTotal = bigram ? total(bigram) : 0;
    const trigramWeight = trigram ? TRIGRAM_WEIGHT : 0;
    const norm = trigramWeight + BIGRAM_WEIGHT + UNIGRAM_WEIGHT;
    for (const word of new Set([...(trigram?.keys() ?? []), ...(bigram?.keys() ?? [])])) {
      const probability =
        (trigramWeight * ((trigram?.get(word) ?? 0) / (trigramTotal || 1)) +
          BIGRAM_WEIGHT * ((bigram?.get(word) ?? 0) / (bigramTotal || 1)) +
          UNIGRAM_WEIGHT * ((this.unigrams.get(word) ?? 0) / this.unigramTotal)) /
        norm;
      result.set(word, probability);
    }
    return result;
  }
}

function increment(table: Map<string, Counts>, context: string, word: string): void {
  let counts = table.get(context);
  if (counts === undefined) table.set(context, (counts = new Map()));
  counts.set(word, (counts.get(word) ?? 0) + 1);
}

function total(counts: Counts): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}
