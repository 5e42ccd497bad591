// Bot: edit the draft flow step by step, save it (the server validates: 422 fields), publish it, preview the widget.
import { useEffect, useState } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { StepEditor } from '../bot/StepEditor.js';
import { KIND_LABELS, addStep, moveStep, removeStep, replaceStep, stepErrors, type Flow, type StepKind } from '../bot/flow.js';
import { useLoad } from '../useLoad.js';

type Status = { kind: 'ok' | 'error'; text: string } | undefined;

export function BotPage({ workspaceId, widgetKey }: { workspaceId: string; widgetKey?: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/bot`;
  const { data, error } = useLoad<{ draft: Flow | null; published: (Flow & { version: number }) | null }>(path);
  const [flow, setFlow] = useState<Flow>({ start: '', steps: [] });
  const [newKind, setNewKind] = useState<StepKind>('message');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>();
  const [version, setVersion] = useState<number>();
  const [preview, setPreview] = useState(0);

  useEffect(() => {
    if (!data) return;
    const source = data.draft ?? data.published;
    if (source) setFlow({ start: source.start, steps: source.steps ?? [] });
    setVersion(data.published?.version);
  }, [data]);

  const ids = flow.steps.map((s) => s.id);
  const placed = new Set(flow.steps.flatMap((s, i) => stepErrors(fields, i, s.id).map(([k]) => k)));
  const general = Object.entries(fields).filter(([k]) => !placed.has(k));

  async function saveDraft(): Promise<boolean> {
    setFields({});
    try {
      await api(path, { method: 'PUT', body: { flow } });
      setStatus({ kind: 'ok', text: 'Draft is valid and saved' });
      return true;
    } catch (err) {
      setFields((err as ApiError).fields ?? {});
      setStatus({ kind: 'error', text: (err as Error).message });
      return false;
    }
  }

  async function publish() {
    if (!(await saveDraft())) return;
    try {
      const r = await api<{ version: number }>(`${path}/publish`, { method: 'POST', body: {} });
      setVersion(r.version);
      setStatus({ kind: 'ok', text: `Published as version ${r.version}. New chats use it; running chats keep theirs.` });
    } catch (err) {
      setStatus({ kind: 'error', text: (err as Error).message });
    }
  }

  if (error) return <p className="p-notice p-notice--error" role="alert">{error}</p>;
  return (
    <section>
      <div className="a-title-row">
        <h1>Bot</h1>
        <span className="p-muted">{version ? `Published version ${version}` : 'Not published yet'}</span>
      </div>
      <div className="a-toolbar">
        <label className="a-inline">
          Start at
          <select value={flow.start} onChange={(e) => setFlow({ ...flow, start: e.target.value })}>
            {ids.length === 0 && <option value="">(no steps)</option>}
            {ids.map((id) => <option key={id} value={id}>{id}</option>)}
          </select>
        </label>
        <span className="a-step__spacer" />
        <button type="button" onClick={saveDraft}>Validate/Save draft</button>
        <button type="button" className="primary" onClick={publish}>Publish</button>
        {widgetKey && <button type="button" onClick={() => setPreview((p) => p + 1)}>Preview</button>}
      </div>
      {status && <p className={`p-notice p-notice--${status.kind}`} role="status">{status.text}</p>}
      {general.length > 0 && (
        <ul className="a-errors" role="alert">{general.map(([k, v]) => <li key={k}><code>{k}</code>: {v}</li>)}</ul>
      )}
      <div className={preview ? 'a-bot a-bot--preview' : 'a-bot'}>
        <ol className="a-steps">
          {flow.steps.map((s, i) => (
            <StepEditor
              key={i}
              step={s}
              index={i}
              count={flow.steps.length}
              stepIds={ids}
              errors={stepErrors(fields, i, s.id)}
              isStart={flow.start === s.id}
              onChange={(step) => setFlow(replaceStep(flow, i, step))}
              onMove={(by) => setFlow(moveStep(flow, i, by))}
              onRemove={() => setFlow(removeStep(flow, i))}
            />
          ))}
          <li className="a-add-step">
            <select aria-label="Kind of the new step" value={newKind} onChange={(e) => setNewKind(e.target.value as StepKind)}>
              {(Object.keys(KIND_LABELS) as StepKind[]).map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
            </select>
            <button type="button" onClick={() => setFlow(addStep(flow, newKind))}>Add step</button>
          </li>
        </ol>
        {preview > 0 && widgetKey && (
          <aside className="a-preview" aria-label="Widget preview">
            <div className="a-preview__bar">
              <span>Preview (published flow, new visitor)</span>
              <button type="button" className="a-small" onClick={() => setPreview((p) => p + 1)}>Restart</button>
              <button type="button" className="a-small" onClick={() => setPreview(0)}>Close</button>
            </div>
            <iframe key={preview} title="Widget preview" src={`/widget/?key=${enc(widgetKey)}&preview=1`} />
          </aside>
        )}
      </div>
    </section>
  );
}
