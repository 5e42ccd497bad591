// The client-side check of a file against upload rules, worded exactly like the server's refusals.
// It only saves a round trip: the server checks again (including the bytes), so this never grants anything.
import type { UploadRules } from './types.js';
import { endingsAdmittedBy, extensionAllowed, extensionOf } from '../../src/modules/files/extensions.js';

export const UPLOADS_OFF = 'File uploads are turned off';
/** Server refusals that mean the side's rules changed: the client reads them again. */
export const RULE_CODES = ['UPLOADS_DISABLED', 'FILE_TYPE_NOT_ALLOWED', 'FILE_TOO_LARGE'];

export function allowedList(types: string): string[] {
  return types
    .split('|')
    .map((t) => t.trim().replace(/^\.+/, '').toLowerCase())
    .filter(Boolean);
}

/** A file input's `accept` for an allow-list ("pdf|png" → ".pdf,.png"); undefined (any file) when the list is empty. */
export function acceptFor(types: string | undefined): string | undefined {
  const endings = [...new Set(allowedList(types ?? '').flatMap(endingsAdmittedBy))];
  return endings.length ? endings.join(',') : undefined;
}

/** Why the file is refused, in plain words; undefined when the rules let it through. */
export function checkFile(file: { name: string; size: number }, rules: UploadRules): string | undefined {
  if (!rules.enabled) return UPLOADS_OFF;
  const allowed = allowedList(rules.allowedTypes);
  const ext = extensionOf(file.name);
  if (!extensionAllowed(ext, allowed)) {
    const what = ext ? `${ext.toUpperCase()} files are` : 'Files without an extension are';
    return `${what} not allowed. Allowed: ${allowed.join(', ')}`;
  }
  if (file.size > rules.maxFileSizeKb * 1024) {
    return `This file is ${Math.ceil(file.size / 1024)} KB; the maximum is ${rules.maxFileSizeKb} KB`;
  }
  return undefined;
}

/** Narrows rules to an extra allow-list (a bot upload request's own types), keeping the stricter of both. */
export function withExtraTypes(rules: UploadRules, extraTypes: string): UploadRules {
  const extra = allowedList(extraTypes);
  if (extra.length === 0) return rules;
  const base = allowedList(rules.allowedTypes);
  const both = base.length === 0 ? extra : extra.filter((t) => base.includes(t));
  // With no overlap (a misconfigured flow) name the bot's types; the server has the last word anyway.
  return { ...rules, allowedTypes: both.length ? both.join('|') : extra.join('|') };
}
