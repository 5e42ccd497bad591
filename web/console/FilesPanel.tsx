// The right side panel: the chat's files (name, size, sender, time, download) with "Choose File" and "Refresh".
import { useCallback, useEffect, useState } from 'react';
import { api, enc } from '../ui/api.js';
import { FileIcon } from '../ui/FileIcon.js';
import { FilePicker } from '../ui/FilePicker.js';
import { formatSize, formatTime } from '../ui/format.js';
import type { Answer, ChatFile } from '../ui/types.js';

const SENDER: Record<ChatFile['uploaderRole'], string> = { visitor: 'Visitor', agent: 'Agent', bot: 'Bot' };

export function FilesPanel({
  workspaceId,
  chatId,
  onChoose,
  accept,
  refreshKey,
}: {
  workspaceId: string;
  chatId: string;
  onChoose: (files: File[]) => void;
  accept?: string;
  refreshKey: number;
}) {
  const [files, setFiles] = useState<ChatFile[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  const refresh = useCallback(async () => {
    setLoading(true);
    try {
      const r = await api<Answer<'/api/workspaces/{ws}/chats/{chatId}/files', 'get'>>(
        `/api/workspaces/${enc(workspaceId)}/chats/${enc(chatId)}/files`,
      );
      setFiles(r.files);
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [workspaceId, chatId]);

  useEffect(() => {
    refresh();
  }, [refresh, refreshKey]);

  return (
    <aside className="c-panel" aria-label="Files of this chat">
      <div className="c-panel__head">
        <h2>Files</h2>
        <div className="c-panel__actions">
          <FilePicker label="Choose File" className="primary" accept={accept} onFiles={onChoose} />
          <button type="button" onClick={refresh} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>
      {error && (
        <p className="p-notice p-notice--error" role="alert">
          {error}
        </p>
      )}
      {files.length === 0 && !error && (
        <p className="p-muted c-panel__empty">{loading ? 'Loading…' : 'No files in this chat yet.'}</p>
      )}
      <ul className="c-panel__list" aria-label="Chat files">
        {files.map((f) => (
          <li key={f.id} className="c-panel__file">
            <FileIcon name={f.name} extension={f.extension} />
            <div className="c-panel__meta">
              <a href={f.url} download={f.name} className="c-panel__name" title={f.name}>
                {f.name}
              </a>
              <span className="p-muted">
                {formatSize(f.size)} · {SENDER[f.uploaderRole] ?? f.uploaderRole} · {formatTime(f.createdAt)}
              </span>
            </div>
          </li>
        ))}
      </ul>
    </aside>
  );
}
