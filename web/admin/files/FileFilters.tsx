// The List File filters: chat, uploader, type, date range and name; applied together with "Filter".
import { useState, type FormEvent } from 'react';

export interface FileFilterValues {
  chatId: string;
  uploaderRole: string;
  type: string;
  from: string;
  to: string;
  q: string;
}

export const NO_FILTERS: FileFilterValues = { chatId: '', uploaderRole: '', type: '', from: '', to: '', q: '' };

export function FileFilters({
  initial,
  onApply,
}: {
  initial: FileFilterValues;
  onApply: (f: FileFilterValues) => void;
}) {
  const [f, setF] = useState(initial);
  const set = (k: keyof FileFilterValues, v: string) => setF({ ...f, [k]: v });
  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(f);
  }
  return (
    <form className="a-filters" onSubmit={submit} aria-label="Filter files">
      <label>
        Name
        <input type="search" value={f.q} onChange={(e) => set('q', e.target.value)} placeholder="part of the name" />
      </label>
      <label>
        Chat
        <input type="text" value={f.chatId} onChange={(e) => set('chatId', e.target.value)} placeholder="#K7M3QP" />
      </label>
      <label>
        Uploader
        <select value={f.uploaderRole} onChange={(e) => set('uploaderRole', e.target.value)}>
          <option value="">Anyone</option>
          <option value="visitor">Visitor</option>
          <option value="agent">Agent</option>
          <option value="bot">Bot</option>
        </select>
      </label>
      <label>
        Type
        <input type="text" value={f.type} onChange={(e) => set('type', e.target.value)} placeholder="e.g. pdf" />
      </label>
      <label>
        From
        <input type="date" value={f.from} onChange={(e) => set('from', e.target.value)} />
      </label>
      <label>
        To
        <input type="date" value={f.to} onChange={(e) => set('to', e.target.value)} />
      </label>
      <div className="a-filters__actions">
        <button type="submit" className="primary">
          Filter
        </button>
        <button
          type="button"
          onClick={() => {
            setF(NO_FILTERS);
            onApply(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

/** Date inputs are local days: "from" starts at local midnight, "to" ends at the next one. */
export function filterQuery(f: FileFilterValues): Record<string, string | undefined> {
  const day = (d: string, plusDays = 0) => {
    if (!d) return undefined;
    const t = new Date(`${d}T00:00:00`);
    t.setDate(t.getDate() + plusDays);
    return t.toISOString();
  };
  return {
    chatId: f.chatId.trim(),
    uploaderRole: f.uploaderRole,
    type: f.type.trim().replace(/^\./, '').toLowerCase(),
    q: f.q.trim(),
    from: day(f.from),
    to: day(f.to, 1),
  };
}
