// Bot: edit the draft flow step by step (each card says which steps lead to it and where it goes), save it (the
// server validates: 422 fields, shown with step numbers counted from 1), publish it. "Preview draft" is a dry run
// of the saved draft (nothing is written: no chat, no visitor), followed button by button; "Try live" opens the real
// widget on the published flow, which does start a test chat.
import { useEffect, useState } from 'react';
import { api, enc, type ApiError } from '../../ui/api.js';
import { StepEditor } from '../bot/StepEditor.js';
import {
  KIND_LABELS,
  addStep,
  describeField,
  linksOf,
  moveStep,
  referrersOf,
  removeStep,
  replaceStep,
  stepErrors,
  type Flow,
  type StepKind,
} from '../bot/flow.js';
import { DryRun } from '../bot/DryRun.js';
import { useLoad } from '../useLoad.js';
import type { Answer, FileUploadSettings } from '../../ui/types.js';

type Status = { kind: 'ok' | 'error'; text: string } | undefined;

export function BotPage({ workspaceId, widgetKey }: { workspaceId: string; widgetKey?: string }) {
  const path = `/api/workspaces/${enc(workspaceId)}/bot`;
  const { data, error } = useLoad<Answer<'/api/workspaces/{ws}/bot', 'get'>>(path);
  const uploadRules = useLoad<FileUploadSettings>(`/api/workspaces/${enc(workspaceId)}/settings/file-upload`);
  const [flow, setFlow] = useState<Flow>({ start: '', steps: [] });
  const [newKind, setNewKind] = useState<StepKind>('message');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<Status>();
  const [version, setVersion] = useState<number>();
  const [preview, setPreview] = useState(0);
  const [dryRun, setDryRun] = useState(0);
  // The editor shows once it holds the saved flow: for the render in between, it would show an empty flow.
  const [filled, setFilled] = useState(false);

  useEffect(() => {
    if (!data) return;
    const source = data.draft ?? data.published;
    if (source) setFlow({ start: source.start, steps: source.steps ?? [] });
    setVersion(data.published?.version);
    setFilled(true);
  }, [data]);

  const ids = flow.steps.map((s) => s.id);
  const position = new Map(ids.map((id, i) => [id, i]));

  function remove(i: number) {
    const step = flow.steps[i]!;
    const from = referrersOf(flow, step.id);
    const reasons = [
      ...(flow.start === step.id ? ['it is the start step'] : []),
      ...(from.length > 0 ? [`it is reached from ${from.map((r) => `step ${r.index + 1} (${r.id})`).join(', ')}`] : []),
    ];
    const question = `Remove step ${i + 1} (${step.id})? ${reasons.join(', and ')}; those links will be cleared.`;
    if (reasons.length > 0 && !window.confirm(question)) return;
    setFlow(removeStep(flow, i));
  }

  async function previewDraft() {
    if (!(await saveDraft())) return;
    setPreview(0);
    setDryRun((n) => n + 1);
  }
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
      const r = await api<Answer<'/api/workspaces/{ws}/bot/publish', 'post'>>(`${path}/publish`, {
        method: 'POST',
        body: {},
      });
      setVersion(r.version);
      setStatus({
        kind: 'ok',
        text: `Published as version ${r.version}. New chats use it; running chats keep theirs.`,
      });
    } catch (err) {
      setStatus({ kind: 'error', text: (err as Error).message });
    }
  }

  if (error)
    return (
      <p className="p-notice p-notice--error" role="alert">
        {error}
      </p>
    );
  // The form shows once the saved settings are in: an edit made before they arrive would be overwritten by them.
  if (!data || !filled) return <p className="p-muted">Loading…</p>;
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
            {ids.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <span className="a-step__spacer" />
        <button type="button" onClick={saveDraft}>
          Validate/Save draft
        </button>
        <button type="button" className="primary" onClick={publish}>
          Publish
        </button>
        <button type="button" onClick={previewDraft}>
          Preview draft
        </button>
        {widgetKey && (
          <button
            type="button"
            onClick={() => {
              setDryRun(0);
              setPreview((p) => p + 1);
            }}
            title="Opens the widget on the published flow: a real test chat is started"
          >
            Try live
          </button>
        )}
      </div>
      {uploadRules.data?.visitorUploadsEnabled === false && flow.steps.some((s) => s.kind === 'upload') && (
        <p className="p-notice p-notice--info" data-testid="uploads-off">
          File upload for users is turned off (<a href="#/settings/file-upload">File upload configuration</a>): the bot
          asks for no file. It passes over an optional upload step and hands the chat over to an agent at a required
          one.
        </p>
      )}
      {status && (
        <p className={`p-notice p-notice--${status.kind}`} role="status">
          {status.text}
        </p>
      )}
      {general.length > 0 && (
        <ul className="a-errors" role="alert">
          {general.map(([k, v]) => (
            <li key={k}>
              <strong>{describeField(k, flow)}</strong>: {v}
            </li>
          ))}
        </ul>
      )}
      <div className={preview || dryRun ? 'a-bot a-bot--preview' : 'a-bot'}>
        <ol className="a-steps">
          {flow.steps.map((s, i) => (
            <StepEditor
              key={i}
              step={s}
              index={i}
              count={flow.steps.length}
              stepIds={ids}
              errors={stepErrors(fields, i, s.id)}
              describe={(k) => describeField(k, flow)}
              referrers={referrersOf(flow, s.id)}
              links={[...new Set(linksOf(s))].flatMap((id) =>
                position.has(id) ? [{ id, index: position.get(id)! }] : [],
              )}
              isStart={flow.start === s.id}
              onChange={(step) => setFlow(replaceStep(flow, i, step))}
              onMove={(by) => setFlow(moveStep(flow, i, by))}
              onRemove={() => remove(i)}
            />
          ))}
          <li className="a-add-step">
            <select
              aria-label="Kind of the new step"
              value={newKind}
              onChange={(e) => setNewKind(e.target.value as StepKind)}
            >
              {(Object.keys(KIND_LABELS) as StepKind[]).map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => setFlow(addStep(flow, newKind))}>
              Add step
            </button>
          </li>
        </ol>
        {dryRun > 0 && (
          <DryRun
            key={dryRun}
            path={path}
            flow={flow}
            onRestart={() => setDryRun((n) => n + 1)}
            onClose={() => setDryRun(0)}
          />
        )}
        {preview > 0 && widgetKey && dryRun === 0 && (
          <aside className="a-preview" aria-label="Widget preview">
            <div className="a-preview__bar">
              <span>Live widget (published flow, a real test chat)</span>
              <button type="button" className="a-small" onClick={() => setPreview((p) => p + 1)}>
                Restart
              </button>
              <button type="button" className="a-small" onClick={() => setPreview(0)}>
                Close
              </button>
            </div>
            <iframe key={preview} title="Widget preview" src={`/widget/?key=${enc(widgetKey)}&preview=1`} />
          </aside>
        )}
      </div>
    </section>
  );
}
