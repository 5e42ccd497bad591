// "Forward earlier files" under an integration's settings: the files that arrived while it was off (or before it
// existed) get their deliveries now, optionally only those since a date. Offered once the integration is saved and on;
// says how many were queued and links to Deliveries.
import { useState, type FormEvent } from 'react';
import { api, enc } from '../ui/api.js';

export function Backfill({ workspaceId, kind, on }: { workspaceId: string; kind: 's3' | 'callback'; on: boolean }) {
  const [from, setFrom] = useState('');
  const [state, setState] = useState<{ running?: boolean; queued?: number; error?: string }>({});
  const where = kind === 's3' ? 'your bucket' : 'your callback';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setState({ running: true });
    try {
      const body: { kind: string; from?: string } = { kind };
      if (from) body.from = new Date(`${from}T00:00:00`).toISOString();
      const { queued } = await api<{ queued: number }>(`/api/workspaces/${enc(workspaceId)}/deliveries/backfill`, {
        method: 'POST',
        body,
      });
      setState({ queued });
    } catch (err) {
      setState({ error: (err as Error).message });
    }
  }

  return (
    <form className="a-card a-form" onSubmit={submit} aria-labelledby={`backfill-${kind}`}>
      <h2 id={`backfill-${kind}`}>Forward earlier files</h2>
      <p className="p-muted">
        Files that arrived while this integration was off, or before it was set up, were not sent to {where}. Forward
        them now; each file is sent once.
      </p>
      <label className="p-field">
        <span className="p-field__label">Only files since (optional)</span>
        <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <div className="a-savebar">
        <button type="submit" disabled={!on || state.running}>
          {state.running ? 'Forwarding…' : 'Forward earlier files'}
        </button>
        <span role="status" className={state.error ? 'p-field__error' : 'a-saved'}>
          {!on
            ? 'Save the settings with sending on first.'
            : state.error
              ? state.error
              : state.queued === undefined
                ? ''
                : state.queued === 0
                  ? 'Nothing to forward: every file has been sent.'
                  : `${state.queued} ${state.queued === 1 ? 'file' : 'files'} queued.`}
        </span>
        {!!state.queued && <a href="#/deliveries">See them in Deliveries</a>}
      </div>
    </form>
  );
}
