// List File's bulk actions: on the selected files, or (with "All files matching the filters") on every file the
// filters match: download as one zip, delete (after confirmation; forwarded copies too, when configured), export CSV.
import { useState } from 'react';
import { api, ApiError, enc, query } from '../../ui/api.js';
import { downloadPost } from '../lifecycle/download.js';
import type { Answer } from '../../ui/types.js';
import { ConfirmButton } from '../ConfirmButton.js';

export function BulkBar({
  workspaceId,
  selected,
  filter,
  onDeleted,
}: {
  workspaceId: string;
  selected: string[];
  filter: Record<string, string | undefined>;
  onDeleted: (ids: string[]) => void;
}) {
  const [allMatching, setAllMatching] = useState(false);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>();
  const base = `/api/workspaces/${enc(workspaceId)}`;
  const definedFilter = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
  const count = selected.length;

  function zip() {
    setStatus(allMatching ? 'Downloading every matching file as a zip…' : `Downloading ${count} files as a zip…`);
    downloadPost(`${base}/files/zip`, allMatching ? { filter: definedFilter } : { fileIds: selected }, setStatus);
  }

  const deleteFiles = (fileIds: string[]) =>
    api<Answer<'/api/workspaces/{ws}/files/delete', 'post'>>(`${base}/files/delete`, {
      method: 'POST',
      body: { fileIds },
    });

  async function remove() {
    setBusy(true);
    try {
      let gone: string[] = [];
      let deleted = 0;
      try {
        deleted = (await deleteFiles(selected)).deleted;
      } catch (e) {
        // Some were deleted meanwhile (another admin, retention): the server did nothing; delete the others.
        const missing = e instanceof ApiError && e.status === 404 ? e.details.missing : undefined;
        if (!Array.isArray(missing) || missing.length === 0) throw e;
        gone = missing.filter((id): id is string => typeof id === 'string');
        const rest = selected.filter((id) => !gone.includes(id));
        if (rest.length > 0) deleted = (await deleteFiles(rest)).deleted;
      }
      const already = gone.length > 0 ? ` ${gone.length} had already been deleted.` : '';
      setStatus(`Deleted ${deleted} ${deleted === 1 ? 'file' : 'files'}.${already}`);
      onDeleted(selected);
    } catch (e) {
      setStatus((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="a-toolbar a-bulk" role="group" aria-label="Bulk actions">
      <span>{allMatching ? 'All files matching the filters' : `${count} selected`}</span>
      <label className="a-inline">
        <input type="checkbox" checked={allMatching} onChange={(e) => setAllMatching(e.target.checked)} />
        All files matching the filters
      </label>
      <button type="button" onClick={zip} disabled={busy || (!allMatching && count === 0)}>
        Download as zip
      </button>
      <ConfirmButton
        groupLabel="Confirm deleting the selected files"
        question={`Delete ${count} ${count === 1 ? 'file' : 'files'}?`}
        yes="Yes, delete"
        onConfirm={remove}
        disabled={busy || allMatching || count === 0 || count > 1000}
        busy={busy}
      >
        Delete selected
      </ConfirmButton>
      <a className="p-button" href={`${base}/files.csv${query(definedFilter)}`} download="files.csv">
        Export CSV
      </a>
      <span role="status" className="a-saved">
        {status}
      </span>
    </div>
  );
}
