// The bot editor's preview: a dry run of the saved draft (GET …/bot/preview, which writes nothing), shown as a
// conversation. Where the bot waits, the admin picks what the visitor would do (a button, a branch, "any answer", an
// answer that is not what the question expects, "a file sent") and the run goes on from the step that leads to,
// until the bot hands over or ends.
import { useEffect, useState } from 'react';
import { api } from '../../ui/api.js';
import type { Answer } from '../../ui/types.js';
import { RETRY_TEXTS } from '../../../src/modules/bot/expect.js';
import type { Flow } from './flow.js';

type Preview = Answer<'/api/workspaces/{ws}/bot/preview', 'get'>;
type Turn = { said?: string; preview: Preview; retried?: boolean };
/** `retry`: the visitor's answer is not what the question expects; the bot asks again in these words. */
type Choice = { label: string; next?: string; retry?: string };

const NOT_EXPECTED = { name: 'An answer that is not a name', email: 'An answer without an e-mail address' };

/** What the visitor may do where the bot waits, and the step each choice leads to (undefined: handed over). */
function choicesAt(flow: Flow, p: Preview, retried: boolean): Choice[] {
  const step = flow.steps.find((s) => s.id === p.stepId);
  if (!step) return [];
  if (p.waitsFor === 'upload') return [{ label: 'Send a file', next: step.next }];
  if (p.waitsFor !== 'answer') return [];
  const buttons = (step.buttons ?? []).map((b) => ({ label: b.label, next: b.next ?? step.next }));
  const branches = (step.branches ?? []).map((b) => ({
    label: b.equals !== undefined ? `Answer “${b.equals}”` : `An answer containing “${b.contains ?? ''}”`,
    next: b.next,
  }));
  const any = { label: buttons.length ? 'Type another answer' : 'Any answer', next: step.next };
  // Asked again once only (src/modules/bot/expect.ts): after the re-ask any answer is kept.
  const expects = step.expect === 'name' || step.expect === 'email' ? step.expect : undefined;
  const retry =
    expects && !retried ? [{ label: NOT_EXPECTED[expects], retry: step.retryText ?? RETRY_TEXTS[expects] }] : [];
  return [...buttons, ...branches, ...retry, any];
}

function describeRequest(r: { prompt: string; allowedTypes: string; maxFiles: number; optional: boolean }) {
  const files = `up to ${r.maxFiles} file${r.maxFiles === 1 ? '' : 's'}`;
  const types = r.allowedTypes.replaceAll('|', ', ');
  return `File request: ${r.prompt} (${types}, ${files}${r.optional ? ', optional' : ''})`;
}

export function DryRun({
  path,
  flow,
  onRestart,
  onClose,
}: {
  path: string;
  flow: Flow;
  onRestart: () => void;
  onClose: () => void;
}) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  const run = async (said?: string, from?: string) => {
    try {
      const query = from ? `&from=${encodeURIComponent(from)}` : '';
      const preview = await api<Preview>(`${path}/preview?source=draft${query}`);
      setTurns((t) => [...t, { said, preview }]);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void run();
  }, []);

  const last = turns.at(-1)?.preview;
  const choose = (c: Choice) => {
    if (c.retry !== undefined) {
      const transcript = [{ kind: 'text' as const, text: c.retry }];
      return void setTurns((t) => [...t, { said: c.label, preview: { ...last!, transcript }, retried: true }]);
    }
    if (c.next) return void run(c.label, c.next);
    setTurns((t) => [...t, { said: c.label, preview: { ...last!, transcript: [], waitsFor: 'agent' } }]);
    setDone('No next step: the bot hands the chat over to an agent.');
  };

  return (
    <aside className="a-preview" aria-label="Bot preview">
      <div className="a-preview__bar">
        <span>Preview of the saved draft (nothing is sent or stored)</span>
        <button type="button" className="a-small" onClick={onRestart}>
          Restart
        </button>
        <button type="button" className="a-small" onClick={onClose}>
          Close
        </button>
      </div>
      <ol className="a-dryrun">
        {turns.flatMap((turn, i) => [
          turn.said ? (
            <li key={`v${i}`} className="a-dryrun__visitor">
              {turn.said}
            </li>
          ) : null,
          ...turn.preview.transcript.map((post, j) => (
            <li key={`b${i}-${j}`} className="a-dryrun__bot">
              {post.kind === 'upload_request' && post.request ? describeRequest(post.request) : post.text}
            </li>
          )),
        ])}
        {error && (
          <li>
            <p className="p-notice p-notice--error" role="alert">
              {error}
            </p>
          </li>
        )}
        {last && !done && (
          <li className="a-dryrun__stop">
            <span role="status">
              {last.waitsFor === 'answer' && 'The bot waits for the visitor’s answer:'}
              {last.waitsFor === 'upload' && 'The bot waits for a file:'}
              {last.waitsFor === 'agent' && 'The bot hands the chat over to an agent.'}
              {last.waitsFor === 'end' && 'The bot ends the conversation here.'}
            </span>
            <div className="a-dryrun__choices">
              {choicesAt(flow, last, !!turns.at(-1)?.retried).map((c) => (
                <button key={c.label} type="button" className="a-small" onClick={() => choose(c)}>
                  {c.label}
                </button>
              ))}
            </div>
          </li>
        )}
        {done && (
          <li className="a-dryrun__stop">
            <span role="status">{done}</span>
          </li>
        )}
      </ol>
    </aside>
  );
}
