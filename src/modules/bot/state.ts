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
  /** Seq of the last message the bot wrote: a visitor message at or before it was already handled, or was
   *  written before the visitor saw the bot's last words, so it is not taken as an answer. */
  afterSeq?: number;
  /** The question at `step` was asked again because its answer was not what it expects (expect.ts): once only. */
  retried?: boolean;
}

export function parseState(json: string | null): BotState | undefined {
  if (!json) return undefined;
  try {
    const s = JSON.parse(json) as BotState;
    return {
      rev: s.rev ?? 0,
      step: s.step ?? null,
      waiting: s.waiting ?? null,
      requestId: s.requestId,
      vars: s.vars ?? {},
      afterSeq: s.afterSeq,
      retried: s.retried === true ? true : undefined,
    };
  } catch {
    return undefined;
  }
}

export function serialiseState(s: BotState): string {
  const out: BotState = { rev: s.rev, step: s.step, waiting: s.waiting, vars: s.vars };
  if (s.requestId) out.requestId = s.requestId;
  if (s.afterSeq !== undefined) out.afterSeq = s.afterSeq;
  if (s.retried) out.retried = true;
  return JSON.stringify(out);
}
