// The workspace's content-safety settings: what uploads get when the malware scanner is down (refused with 503, the
// default, or accepted and held until it is back), and whether photos lose their location and camera data.
// Read on every upload, like the file upload rules, so a change applies at once on every node.
import type { Db } from '../../db/index.js';
import { workspaceRowRepo } from '../../db/workspace-row-repo.js';
import { nowIso } from '../../ids.js';

const contentSafetyRows = workspaceRowRepo('content_safety_settings');

export interface ContentSafetySettings {
  /** "refuse": 503 SCANNER_UNAVAILABLE while clamd is down; "accept": store, hold, and scan when it is back. */
  whenScannerDown: 'refuse' | 'accept';
  /** "Remove location and camera data from photos" (EXIF/XMP/IPTC/GPS) from the stored originals. */
  stripPhotoMetadata: boolean;
}

export const DEFAULT_CONTENT_SAFETY: ContentSafetySettings = { whenScannerDown: 'refuse', stripPhotoMetadata: true };

export async function getContentSafety(db: Db, workspaceId: string): Promise<ContentSafetySettings> {
  const row = await contentSafetyRows.get(db, workspaceId);
  if (!row) return { ...DEFAULT_CONTENT_SAFETY };
  return { whenScannerDown: row.when_scanner_down, stripPhotoMetadata: row.strip_photo_metadata === 1 };
}

export async function putContentSafety(
  db: Db,
  workspaceId: string,
  input: Partial<ContentSafetySettings>,
): Promise<ContentSafetySettings> {
  const next = { ...(await getContentSafety(db, workspaceId)), ...input };
  const row = {
    workspace_id: workspaceId,
    when_scanner_down: next.whenScannerDown,
    strip_photo_metadata: next.stripPhotoMetadata ? 1 : 0,
    updated_at: nowIso(),
  };
  await contentSafetyRows.put(db, row);
  return next;
}
