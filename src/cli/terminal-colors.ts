// Colours the demo's tokens by tag, on a terminal only (NO_COLOR and FORCE_COLOR are honoured).

const TAG_COLORS: Record<string, string> = { joke: "\x1b[36m", poem: "\x1b[35m" };
const RESET = "\x1b[39m";

/** Whether to colour output written to `stream`. */
export function shouldColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0";
  return stream.isTTY === true;
}

/** `text` in the colour of the first tag that has one (cyan jokes, magenta poems). */
export function colorByTag(text: string, tags: readonly string[]): string {
  const color = tags.map((tag) => TAG_COLORS[tag]).find((code) => code !== undefined);
  return color === undefined ? text : `${color}${text}${RESET}`;
}
