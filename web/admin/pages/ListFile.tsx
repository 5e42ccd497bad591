// File Upload → List File: every file of the workspace, newest first, with filters, "Load more", delete, deliveries.
import { useCallback, useEffect, useState } from 'react';
import { api, enc, query } from '../../ui/api.js';
import type { ChatFile } from '../../ui/types.js';
import { FileFilters, NO_FILTERS, filterQuery, type FileFilterValues } from '../files/FileFilters.js';
import { FileRow } from '../files/FileRow.js';

const PAGE = 50;

export function ListFile({ workspaceId }: { workspaceId: string }) {
  const [filters, setFilters] = useState<FileFilterValues>(NO_FILTERS);
  const [files, setFiles] = useState<ChatFile[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  const fetchPage = useCallback(
    async (after?: string) => {
      setLoading(true);
      try {
        const r = await api<{ files: ChatFile[]; nextCursor?: string | null }>(
          `/api/workspaces/${enc(workspaceId)}/files${query({ ...filterQuery(filters), cursor: after, limit: PAGE })}`,
        );
        setFiles((cur) => (after ? [...cur, ...r.files] : r.files));
        setCursor(r.nextCursor ?? undefined);
        setError(undefined);
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setLoading(false);
      }
    },
    [workspaceId, filters],
  );

  useEffect(() => {
    fetchPage();
  }, [fetchPage]);

  return (
    <section>
      <p className="a-crumbs">File Upload</p>
      <div className="a-title-row">
        <h1>List File</h1>
        <button type="button" onClick={() => fetchPage()} disabled={loading}>Refresh</button>
      </div>
      <FileFilters initial={filters} onApply={setFilters} />
      {error && <p className="p-notice p-notice--error" role="alert">{error}</p>}
      <div className="a-card a-table-wrap">
        <table className="p-table" aria-label="Files">
          <thead>
            <tr><th>Name</th><th>Chat</th><th>Uploader</th><th>Type</th><th>Size</th><th>Date</th><th>Delivery</th><th><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <FileRow
                key={f.id}
                workspaceId={workspaceId}
                file={f}
                onDeleted={(id) => setFiles((cur) => cur.filter((x) => x.id !== id))}
                onChange={(nf) => setFiles((cur) => cur.map((x) => (x.id === nf.id ? nf : x)))}
              />
            ))}
            {files.length === 0 && !loading && (
              <tr><td colSpan={8} className="p-muted">No files match.</td></tr>
            )}
          </tbody>
        </table>
      </div>
      {cursor && (
        <button type="button" className="a-more" onClick={() => fetchPage(cursor)} disabled={loading}>Load more</button>
      )}
    </section>
  );
}
