// The tiny model's tokens are words, punctuation marks and line breaks.

const TOKEN_PATTERN = /[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*|[.,!?;:]|\n/g;
const CLOSING_PUNCTUATION = /^[.,!?;:]$/;

/** Split text into word tokens: `"Hi, cat!\n"` -> `["Hi", ",", "cat", "!", "\n"]`. */
export function tokenizeWords(text: string): string[] {
  return text.replace(/\r\n?/g, "\n").match(TOKEN_PATTERN) ?? [];
}

/**
 * The text each token streams as: a space before words (not at the start of a line) and none
 * before punctuation, so the chunks join into normal text.
 */
export function toTextChunks(tokens: readonly string[]): string[] {
  return tokens.map((token, index) => {
    const previous = tokens[index - 1];
    if (previous === undefined || previous === "\n" || token === "\n" || CLOSING_PUNCTUATION.test(token)) return token;
    return ` ${token}`;
  });
}
