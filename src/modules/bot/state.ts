// The bot's place in one chat, kept as JSON in chats.bot_state so it survives restarts and any node can resume it.
// `rev` grows with every transition; updates are guarded by the exact previous JSON (see transition.ts).

export interface BotState {
  rev: number;
  /** The step the bot waits at; null once it has handed over or ended. */
  step: string | null;
  waiting: 'answer' | 'upload' | null;
  /** The open upload request while waiting on an upload step. */
  requestId?: string;
  vars: Record<string, string>;
}

export const INITIAL_STATE: BotState = { rev: 0, step: null, waiting: null, vars: {} };

export function parseState(json: string | null): BotState | undefined {
  if (!json) return undefined;
  try {
    const s = JSON.parse(json) as BotState;
    return { rev: s.rev ?? 0, step: s.step ?? null, waiting: s.waiting ?? null, requestId: s.requestId, vars: s.vars ?? {} };
  } catch {
    return undefined;
  }
}

export function serialiseState(s: BotState): string {
  const out: BotState = { rev: s.rev, step: s.step, waiting: s.waiting, vars: s.vars };
  if (s.requestId) out.requestId = s.requestId;
  return JSON.stringify(out);
}
