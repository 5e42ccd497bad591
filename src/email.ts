// The one check of an e-mail address that becomes an account (an invitation, `parley create-admin --email`,
// PARLEY_ADMIN_EMAIL): one @, no spaces, and RFC 5321's lengths. Pure: each caller turns the answer into its error.

/** What is wrong with an e-mail address (trimmed and lower-cased by the caller), if anything. */
export function emailProblem(email: string): string | undefined {
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return 'Enter a valid email address';
  const local = email.slice(0, email.indexOf('@'));
  // Octets, not characters: "é" counts twice.
  if (Buffer.byteLength(local) > 64 || Buffer.byteLength(email) > 254)
    return 'An email address has at most 64 characters before the @ and 254 in all';
  return undefined;
}
