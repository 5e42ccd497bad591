// A file's extension as the allow-lists name it, compound archive extensions included (`report.tar.gz` is a
// `tar.gz`, allowed where `tar.gz`, `tgz` or `gz` is). Pure and dependency-free: the web apps import it too, so the
// browser's early check and the server's rule never disagree.

/** Compound extensions and the allow-list entries that also admit them (the outer compression first). */
const COMPOUND: Record<string, string[]> = {
  'tar.gz': ['tgz', 'gz'],
  tgz: ['tar.gz', 'gz'],
  'tar.bz2': ['tbz2', 'bz2'],
  tbz2: ['tar.bz2', 'bz2'],
  'tar.xz': ['txz', 'xz'],
  txz: ['tar.xz', 'xz'],
};
const SUFFIXES = ['tar.gz', 'tar.bz2', 'tar.xz'];

export function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  for (const suffix of SUFFIXES) {
    // "x.tar.gz" has the compound extension; ".tar.gz" alone is a hidden file named tar.gz, whose extension is gz.
    if (lower.endsWith(`.${suffix}`) && lower.length > suffix.length + 1) return suffix;
  }
  const dot = lower.lastIndexOf('.');
  if (dot <= 0 || dot === lower.length - 1) return '';
  return lower.slice(dot + 1);
}

/** Whether an allow-list (already split; empty = any type) admits a file with this extension. */
export function extensionAllowed(extension: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0 || allowed.includes(extension)) return true;
  return (COMPOUND[extension] ?? []).some((alias) => allowed.includes(alias));
}

/** The file-name endings an allow-list entry admits, for a file input's `accept` (`gz` also admits `x.tgz`). */
export function endingsAdmittedBy(entry: string): string[] {
  const aliases = Object.keys(COMPOUND).filter((ext) => COMPOUND[ext]!.includes(entry));
  return [entry, ...aliases].map((e) => `.${e}`);
}
