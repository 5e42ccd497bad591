// The short chat reference people read, say and type ("K7M-3QP" style without the dash): six characters from an
// alphabet without look-alikes (no 0/O, 1/I/L), unique per workspace. Anything that takes a chat id also takes it.
import crypto from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CHAT_REF_LENGTH = 6;

export function newChatRef(): string {
  const bytes = crypto.randomBytes(CHAT_REF_LENGTH * 2);
  let ref = '';
  // Rejection sampling keeps every character equally likely.
  for (let i = 0; ref.length < CHAT_REF_LENGTH; i++) {
    const b = i < bytes.length ? bytes[i]! : crypto.randomBytes(1)[0]!;
    if (b < 248) ref += ALPHABET[b % ALPHABET.length];
  }
  return ref;
}

/** The reference a person typed (any case, with or without a leading "#"), or undefined when it cannot be one. */
export function parseChatRef(input: string): string | undefined {
  const ref = input.trim().replace(/^#/, '').toUpperCase();
  if (ref.length !== CHAT_REF_LENGTH) return undefined;
  for (const ch of ref) if (!ALPHABET.includes(ch)) return undefined;
  return ref;
}
