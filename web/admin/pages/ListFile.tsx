// File Upload → List File: every file of the workspace, newest first, with filters, "Load more", delete, deliveries,
// and bulk actions on a selection (or on every file matching the filters): download as zip, delete, export as CSV.
import { useState } from 'react';
import { enc } from '../../ui/api.js';
import type { Answer, ChatFile } from '../../ui/types.js';
import { FileFilters, NO_FILTERS, filterQuery, type FileFilterValues } from '../files/FileFilters.js';
import { BulkBar } from '../files/BulkBar.js';
import { FileRow } from '../files/FileRow.js';
import { useKeysetList } from '../useKeysetList.js';

const PAGE = 50;
type ListedFile = ChatFile & { deleteAt?: string | null };
const filesOf = (a: Answer<'/api/workspaces/{ws}/files', 'get'>): ListedFile[] => a.files;

export function ListFile({ workspaceId }: { workspaceId: string }) {
  const [filters, setFilters] = useState<FileFilterValues>(NO_FILTERS);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const list = useKeysetList(`/api/workspaces/${enc(workspaceId)}/files`, filterQuery(filters), filesOf, {
    limit: PAGE,
    reloadOn: filters,
    onFirstPage: () => setSelected(new Set()),
  });
  const { rows: files, setRows: setFiles } = list;

  return (
    <section>
      <p className="a-crumbs">File Upload</p>
      <div className="a-title-row">
        <h1>List File</h1>
        <button type="button" onClick={list.reload} disabled={list.loading}>
          Refresh
        </button>
      </div>
      <FileFilters initial={filters} onApply={setFilters} />
      <BulkBar
        workspaceId={workspaceId}
        selected={[...selected]}
        filter={filterQuery(filters)}
        onDeleted={(ids) => {
          setFiles((cur) => cur.filter((f) => !ids.includes(f.id)));
          setSelected(new Set());
        }}
      />
      {list.error && (
        <p className="p-notice p-notice--error" role="alert">
          {list.error}
        </p>
      )}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Files">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select all files on this page"
                  checked={files.length > 0 && files.every((f) => selected.has(f.id))}
                  onChange={(e) => setSelected(e.target.checked ? new Set(files.map((f) => f.id)) : new Set())}
                />
              </th>
              <th>Name</th>
              <th>Chat</th>
              <th>Uploader</th>
              <th>Type</th>
              <th>Size</th>
              <th>Date</th>
              <th>Deleted on</th>
              <th>Delivery</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <FileRow
                key={f.id}
                workspaceId={workspaceId}
                file={f}
                selected={selected.has(f.id)}
                onSelect={(id, on) =>
                  setSelected((cur) => {
                    const next = new Set(cur);
                    if (on) next.add(id);
                    else next.delete(id);
                    return next;
                  })
                }
                onDeleted={(id) => setFiles((cur) => cur.filter((x) => x.id !== id))}
                onChange={(nf) => setFiles((cur) => cur.map((x) => (x.id === nf.id ? nf : x)))}
              />
            ))}
            {files.length === 0 && !list.loading && (
              <tr>
                <td colSpan={10} className="p-muted">
                  No files match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {list.hasMore && (
        <button type="button" className="a-more" onClick={list.loadMore} disabled={list.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
