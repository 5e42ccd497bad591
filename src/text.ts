// Text people type that others see (names, greetings, the bot's texts and a visitor's answers to it) keeps its
// Unicode but loses what is invisible and changes how the text around it shows: C0/C1 controls and DEL, the bidi
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: "Bob\u202Enimda" would read "Bob admin" reversed
// in the console, List File and exports), the Arabic letter mark, LRM/RLM, zero-width space, word joiners and
// invisible operators, the BOM and the interlinear annotation marks. ZWNJ and ZWJ (U+200C/D) stay: scripts and emoji
// sequences need them. Stripped where the text comes in, so every view and export gets the clean text.
const FORMAT = '\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb';
const INVISIBLE = new RegExp(`[\u0000-\u001f\u007f-\u009f${FORMAT}]`, 'g');
const INVISIBLE_EXCEPT_LINES = new RegExp(`[\u0000-\u0008\u000b-\u001f\u007f-\u009f${FORMAT}]`, 'g');

/** One line (a name): every invisible control removed, line breaks and tabs included. */
export const stripInvisible = (s: string): string => s.replace(INVISIBLE, '');

/** Text of several lines (a greeting, a bot message): the same, but line breaks and tabs stay. */
export const stripInvisibleKeepLines = (s: string): string => s.replace(INVISIBLE_EXCEPT_LINES, '');

/** A person's or workspace's name as kept: invisible controls removed, trimmed, at most `max` characters. */
export const cleanName = (s: string | undefined, max = 200): string =>
  stripInvisible(s ?? '')
    .trim()
    .slice(0, max)
    .trim();
