// What a file's malware scan means to the people in the chat: an infected file is never offered for download (the
// chat also carries the system message "File blocked: it contains malware"); a held one says it is being checked.
// Clean and unscanned files show as usual.
import type { ChatFile } from './types.js';

/** Quarantined and not released by an admin: never offered for download. */
export function isBlocked(file: Pick<ChatFile, 'scan' | 'releasedAt'>): boolean {
  return file.scan === 'infected' && !file.releasedAt;
}

export function ScanNotice({ file }: { file: ChatFile }) {
  if (isBlocked(file))
    return (
      <span className="p-file-blocked" role="note">
        {file.name} is blocked (malware)
      </span>
    );
  if (file.scan === 'pending')
    return (
      <span className="p-file-scanning" role="status">
        Checking {file.name} for viruses…
      </span>
    );
  return null;
}
