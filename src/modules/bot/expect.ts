// What a question may expect of its answer (`expect` on a question step): any text, a name, or an e-mail address.
// The default flow's first question is the visitor's name, and visitors often answer it with "hi" or with their
// question ("Hello, I have a question about my invoice"), which then titled the chat and filled "Nice to meet you,
// {{name}}!". A name is read out of "I'm Ada" / "My name is Ada Lovelace"; an answer that is surely not one is asked
// again once (retryText), and the second answer is kept whatever it is, so nobody is stuck in a loop.
import type { Step } from './flow.js';

export type Expect = NonNullable<Step['expect']>;

export const RETRY_TEXTS: Record<Exclude<Expect, 'text'>, string> = {
  name: "Sorry, I didn't catch your name. What should I call you?",
  email: "That doesn't look like an e-mail address. Could you type it again?",
};

// "Hi, my name is Ada", "call me Ada": what follows is the name.
const NAME_LEAD = /^(?:(?:hi|hello|hey|hallo)\b[\s,!.]*)?(?:my name is|my name's|name is|call me)\s+/i;
// "I'm Ada", "it's Ada", "this is Ada" — but also "I'm having trouble logging in": what follows is taken for a name
// only when it holds none of the words that sentences have and names do not.
const MAYBE_NAME_LEAD = /^(?:(?:hi|hello|hey|hallo)\b[\s,!.]*)?(?:i am|i[’']m|im|it is|it[’']s|this is)\s+/i;
const SENTENCE_WORD = new RegExp(
  '\\b(?:a|an|the|to|for|with|about|my|your|not|have|has|having|need|needing|want|looking|trying|help|order|' +
    'problem|issue|question|please)\\b',
  'i',
);
// A greeting alone ("hi", "Hello there!") is the commonest first message and never a name.
const GREETING = new RegExp(
  '^(?:hi|hello|hey|hallo|hiya|yo|good (?:morning|afternoon|evening|day)|thanks|thank you|ok|okay|yes|no)' +
    '(?: there| all)?$',
  'i',
);
// Digits and symbols that no name has (hyphens, apostrophes, dots, commas and spaces are fine).
const NOT_NAME_CHARS = /[0-9?@:;/\\#$%^&*_=+<>{}[\]|~`"()]/;

/**
 * The name in an answer, or undefined when the answer is surely not one: a greeting alone, a question, digits or
 * symbols, more than five words ("Hello, I have a question about my invoice") or more than 60 characters. Anything
 * else is taken as typed: a bot cannot tell "Here is my statement" from a name, and asking again for one that is a
 * name would be worse.
 */
export function nameIn(answer: string): string | undefined {
  let name = answer.trim().replace(NAME_LEAD, '');
  const maybe = name.replace(MAYBE_NAME_LEAD, '');
  if (maybe !== name) {
    if (SENTENCE_WORD.test(maybe)) return undefined;
    name = maybe;
  }
  name = name.replace(/[.!,]+$/, '').trim();
  if (!name || name.length > 60 || NOT_NAME_CHARS.test(name) || GREETING.test(name)) return undefined;
  if (name.split(/\s+/).length > 5) return undefined;
  return name;
}

const EMAIL = /[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:".]{2,}/;

/** The e-mail address in an answer ("it's ada@example.com."), or undefined. */
export function emailIn(answer: string): string | undefined {
  return EMAIL.exec(answer)?.[0];
}

/** The value to keep for an answer the step expects, or undefined when it is not what was asked for. */
export function readAnswer(expect: Expect | undefined, answer: string): string | undefined {
  if (expect === 'name') return nameIn(answer);
  if (expect === 'email') return emailIn(answer);
  return answer;
}
