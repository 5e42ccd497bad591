// What a question may expect of its answer (src/modules/bot/expect.ts): a name read out of what visitors type when
// asked for it, and an e-mail address.
import { describe, expect, it } from 'vitest';
import { emailIn, nameIn, readAnswer } from '../../../../src/modules/bot/expect.js';

describe('nameIn', () => {
  it.each([
    ['Ada', 'Ada'],
    ['Ada Lovelace', 'Ada Lovelace'],
    ["I'm Ada", 'Ada'],
    ['I’m Ada.', 'Ada'],
    ['Hi, I am Ada Lovelace!', 'Ada Lovelace'],
    ['my name is María José de la Cruz', 'María José de la Cruz'],
    ["it's O'Brien", "O'Brien"],
    ['call me Jean-Luc', 'Jean-Luc'],
    ['J. R. R. Tolkien', 'J. R. R. Tolkien'],
    ['李小龙', '李小龙'],
    // A short sentence is taken as typed: a bot cannot tell it from a name.
    ['Here is my statement', 'Here is my statement'],
  ])('reads %j as the name %j', (answer, name) => {
    expect(nameIn(answer)).toBe(name);
  });

  it.each([
    'hi',
    'Hi,',
    'Hello!',
    'hey there',
    'Good morning!',
    'Hello, I have a question about my invoice',
    'I need help with my order today',
    "I'm having trouble logging in",
    'it is about my order',
    'Hi, I am looking for the price list',
    'What are your opening hours?',
    'ada@example.com',
    'order 12345',
    'one two three four five six',
    'x'.repeat(61),
    '',
  ])('does not take %j for a name', (answer) => {
    expect(nameIn(answer)).toBeUndefined();
  });
});

describe('emailIn', () => {
  it('finds the address in a sentence and refuses text without one', () => {
    expect(emailIn('ada@example.com')).toBe('ada@example.com');
    expect(emailIn("sure, it's ada.lovelace+chat@example.co.uk.")).toBe('ada.lovelace+chat@example.co.uk');
    expect(emailIn('ada at example dot com')).toBeUndefined();
    expect(emailIn('ada@localhost')).toBeUndefined();
  });
});

describe('readAnswer', () => {
  it('keeps any text when the step expects text or nothing', () => {
    expect(readAnswer(undefined, 'hi there')).toBe('hi there');
    expect(readAnswer('text', 'hi there')).toBe('hi there');
    expect(readAnswer('name', 'hi there')).toBeUndefined();
  });
});
