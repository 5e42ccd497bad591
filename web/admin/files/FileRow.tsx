// One row of List File: a checkbox for bulk actions, name with download, chat, uploader, type, size, date, when
// retention deletes it, deliveries, Delete (confirmed inline).
import { useState } from 'react';
import { api, enc } from '../../ui/api.js';
import { FilePreview } from '../../ui/FilePreview.js';
import { isBlocked } from '../../ui/ScanNotice.js';
import { formatSize, formatTime } from '../../ui/format.js';
import type { ChatFile, Delivery } from '../../ui/types.js';
import { DeliveryStatus } from '../DeliveryStatus.js';
import { ChatRefLink } from '../../ui/ChatRef.js';
import { ConfirmButton } from '../ConfirmButton.js';

export function FileRow({
  workspaceId,
  file,
  selected,
  onSelect,
  onDeleted,
  onChange,
}: {
  workspaceId: string;
  file: ChatFile & { deleteAt?: string | null };
  selected: boolean;
  onSelect: (id: string, on: boolean) => void;
  onDeleted: (id: string) => void;
  onChange: (f: ChatFile) => void;
}) {
  const [error, setError] = useState<string>();

  const [releasing, setReleasing] = useState(false);
  async function release() {
    setError(undefined);
    try {
      const r = await api<{ file: ChatFile }>(`/api/workspaces/${enc(workspaceId)}/files/${enc(file.id)}/release`, {
        method: 'POST',
        body: { confirm: true },
      });
      onChange(r.file);
    } catch (e) {
      setError((e as Error).message);
    }
    setReleasing(false);
  }

  async function remove() {
    setError(undefined);
    try {
      await api(`/api/workspaces/${enc(workspaceId)}/files/${enc(file.id)}`, { method: 'DELETE' });
      onDeleted(file.id);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const replaceDelivery = (d: Delivery) =>
    onChange({ ...file, deliveries: (file.deliveries ?? []).map((x) => (x.id === d.id ? d : x)) });

  return (
    <tr data-file-id={file.id}>
      <td>
        <input
          type="checkbox"
          checked={selected}
          onChange={(e) => onSelect(file.id, e.target.checked)}
          aria-label={`Select ${file.name}`}
        />
      </td>
      <td className="p-table__name">
        <span className="a-filename">
          <FilePreview file={file} />
          {isBlocked(file) ? (
            <span>{file.name}</span>
          ) : (
            <a href={file.url} download={file.name}>
              {file.name}
            </a>
          )}
        </span>
        {isBlocked(file) && (
          <span className="a-scan a-scan--infected">
            Blocked: {file.scanSignature ?? 'malware'}{' '}
            {releasing ? (
              <span className="a-confirm" role="group" aria-label={`Confirm releasing ${file.name}`}>
                <span>Release this file to the chat and its integrations?</span>
                <button type="button" className="danger" onClick={release}>
                  Yes, release
                </button>
                <button type="button" onClick={() => setReleasing(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button type="button" onClick={() => setReleasing(true)} aria-label={`Release ${file.name}`}>
                Release
              </button>
            )}
          </span>
        )}
        {file.scan === 'pending' && <span className="a-scan">Checking for viruses…</span>}
        {file.scan === 'infected' && file.releasedAt && (
          <span className="a-scan">Released by an admin (found: {file.scanSignature ?? 'malware'})</span>
        )}
      </td>
      <td>
        <ChatRefLink workspaceId={workspaceId} chatRef={file.chatRef} />
      </td>
      <td>{file.uploaderRole}</td>
      <td>{file.extension || file.mimeType}</td>
      <td className="a-nowrap">{formatSize(file.size)}</td>
      <td className="a-nowrap">{formatTime(file.createdAt)}</td>
      <td className="a-nowrap">{file.deleteAt ? formatTime(file.deleteAt) : <span className="p-muted">Kept</span>}</td>
      <td>
        {(file.deliveries ?? []).length === 0 ? (
          <span className="p-muted">—</span>
        ) : (
          file.deliveries!.map((d) => (
            <DeliveryStatus key={d.id} workspaceId={workspaceId} delivery={d} onResent={replaceDelivery} />
          ))
        )}
      </td>
      <td className="a-nowrap">
        <ConfirmButton
          ariaLabel={`Delete ${file.name}`}
          groupLabel={`Confirm deleting ${file.name}`}
          question="Delete this file?"
          yes="Yes, delete"
          onConfirm={remove}
        >
          Delete
        </ConfirmButton>
        {error && (
          <span className="p-field__error" role="alert">
            {error}
          </span>
        )}
      </td>
    </tr>
  );
}
