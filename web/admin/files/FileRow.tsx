// One row of List File: name with download, chat, uploader, type, size, date, deliveries, Delete (confirmed inline).
import { useState } from 'react';
import { api, enc } from '../../ui/api.js';
import { FileIcon } from '../../ui/FileIcon.js';
import { formatSize, formatTime } from '../../ui/format.js';
import type { ChatFile, Delivery } from '../../ui/types.js';
import { DeliveryStatus } from '../DeliveryStatus.js';

export function FileRow({ workspaceId, file, onDeleted, onChange }: { workspaceId: string; file: ChatFile; onDeleted: (id: string) => void; onChange: (f: ChatFile) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();

  async function remove() {
    setError(undefined);
    try {
      await api(`/api/workspaces/${enc(workspaceId)}/files/${enc(file.id)}`, { method: 'DELETE' });
      onDeleted(file.id);
    } catch (e) {
      setError((e as Error).message);
      setConfirming(false);
    }
  }

  const replaceDelivery = (d: Delivery) => onChange({ ...file, deliveries: (file.deliveries ?? []).map((x) => (x.id === d.id ? d : x)) });

  return (
    <tr data-file-id={file.id}>
      <td className="p-table__name">
        <span className="a-filename">
          <FileIcon name={file.name} extension={file.extension} />
          <a href={file.url} download={file.name}>{file.name}</a>
        </span>
      </td>
      <td><code title={file.chatId}>{file.chatId.slice(-8)}</code></td>
      <td>{file.uploaderRole}</td>
      <td>{file.extension || file.mimeType}</td>
      <td className="a-nowrap">{formatSize(file.size)}</td>
      <td className="a-nowrap">{formatTime(file.createdAt)}</td>
      <td>
        {(file.deliveries ?? []).length === 0 ? <span className="p-muted">—</span> : file.deliveries!.map((d) => <DeliveryStatus key={d.id} workspaceId={workspaceId} delivery={d} onResent={replaceDelivery} />)}
      </td>
      <td className="a-nowrap">
        {confirming ? (
          <span className="a-confirm" role="group" aria-label={`Confirm deleting ${file.name}`}>
            <span>Delete this file?</span>
            <button type="button" className="danger" onClick={remove}>Yes, delete</button>
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </span>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirming(true)} aria-label={`Delete ${file.name}`}>Delete</button>
        )}
        {error && <span className="p-field__error" role="alert">{error}</span>}
      </td>
    </tr>
  );
}
