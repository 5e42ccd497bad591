// What the bot does at each event of a chat: it starts, the visitor writes, a requested file arrives, the visitor
// skips a request, or a request times out. Each event is one guarded transition (transition.ts).
import type { Deps } from '../../deps.js';
import type { ChatsTable } from '../../db/types.js';
import { newId } from '../../ids.js';
import { chatsRepo } from '../chats/repo.js';
import { stepById, type Flow, type Step } from './flow.js';
import { RETRY_TEXTS, readAnswer } from './expect.js';
import { getFileSettings } from '../settings/file-upload.js';
import { asksForHuman, chooseAnswer } from './answers.js';
import { botRepo } from './repo.js';
import type { BotState } from './state.js';
import { transition, type Change, type LeadMessage } from './transition.js';
import { handoff, questionPost, walk, type Walk } from './walk.js';
import { stripInvisible } from '../../text.js';
import { fillTemplate } from './template.js';

const MAX_ANSWER_LENGTH = 500;
/** A visitor's answer as kept (a name, an e-mail): it titles the chat and fills the bot's texts, so no controls. */
const answerOf = (text: string) => stripInvisible(text).trim().slice(0, MAX_ANSWER_LENGTH);
const REPROMPT_TEXT = 'Please choose one of the options below.';

/** Turns a walk into the change to commit: where the bot waits next, or how it leaves the chat. */
export function changeFromWalk(w: Walk, vars: Record<string, string>): Change {
  const posts = w.posts.map((p) => (p.kind === 'upload_request' ? { ...p, requestId: newId() } : p));
  const request = posts.find((p) => p.kind === 'upload_request');
  switch (w.stop.kind) {
    case 'answer':
      return { state: { step: w.stop.stepId, waiting: 'answer', vars }, posts };
    case 'upload':
      return { state: { step: w.stop.stepId, waiting: 'upload', requestId: request?.requestId, vars }, posts };
    case 'handoff':
      return { state: { step: null, waiting: null, vars }, status: 'waiting', posts };
    case 'end':
      return { state: { step: null, waiting: null, vars }, status: 'closed', posts };
  }
}

/**
 * walk() where the bot is about to ask for a file: when the workspace has visitor uploads turned off, the walk again
 * without asking (walk.ts). The settings are read only then, not at every step of every chat.
 */
export async function walkFor(
  deps: Deps,
  workspaceId: string,
  flow: Flow,
  from: string | undefined,
  vars: Record<string, string>,
): Promise<Walk> {
  const w = walk(flow, from, vars);
  if (w.stop.kind !== 'upload') return w;
  const { visitorUploadsEnabled } = await getFileSettings(deps.db, workspaceId, deps.config.maxUploadMb);
  return visitorUploadsEnabled ? w : walk(flow, from, vars, { visitorUploads: false });
}

/** The flow version the chat started with (the published one if it never started). */
export async function flowOf(deps: Deps, chat: ChatsTable): Promise<Flow> {
  if (chat.bot_flow_version === null) return (await botRepo.published(deps.db, chat.workspace_id)).flow;
  return botRepo.version(deps.db, chat.workspace_id, chat.bot_flow_version);
}

export async function onChatCreated(deps: Deps, chatId: string) {
  await transition(deps, chatId, async (chat, state) => {
    if (state) return null; // another node already started it
    const published = await botRepo.published(deps.db, chat.workspace_id);
    const w = await walkFor(deps, chat.workspace_id, published.flow, published.flow.start, {});
    return { ...changeFromWalk(w, {}), flowVersion: published.version };
  });
}

export async function onVisitorMessage(deps: Deps, chatId: string, messageId: string) {
  await transition(deps, chatId, async (chat, state) => {
    if (!state?.waiting) return null;
    const message = await chatsRepo.messageById(deps.db, messageId);
    // Already answered (the same event on another node), or written before the bot's last words.
    if (!message || Number(message.seq) <= (state.afterSeq ?? 0)) return null;
    const text = message?.text ?? '';
    const flow = await flowOf(deps, chat);
    if (state.waiting === 'upload') return answerWhileUploading(flow, state, text);
    return answerQuestion(flow, state, text, (from, vars) => walkFor(deps, chat.workspace_id, flow, from, vars));
  });
}

async function answerQuestion(
  flow: Flow,
  state: BotState,
  text: string,
  walkFrom: (from: string | undefined, vars: Record<string, string>) => Promise<Walk>,
): Promise<Change> {
  const step = stepById(flow, state.step ?? undefined);
  if (!step) return changeFromWalk(handoff(flow, state.vars), state.vars);
  const answer = answerOf(text);
  // A button or branch that matches wins, even "Talk to an agent" wired to a step of the admin's choosing.
  const choice = chooseAnswer(step, text, state.vars);
  if (choice.matched) {
    const chosen = keep(step, state.vars, answer);
    return changeFromWalk(await walkFrom(choice.next, chosen), chosen);
  }
  if (asksForHuman(text)) return changeFromWalk(handoff(flow, state.vars), state.vars);
  // Not what the question expects ("hi" for a name): asked again once; the second answer is kept as it is.
  const read = readAnswer(step.expect, answer);
  if (read === undefined && !state.retried && step.expect && step.expect !== 'text') {
    const retry = step.retryText ?? RETRY_TEXTS[step.expect];
    return {
      state: { ...state, retried: true },
      posts: [questionPost(step, state.vars, fillTemplate(retry, state.vars))],
    };
  }
  const vars = keep(step, state.vars, read ?? answer);
  if (step.next) return changeFromWalk(await walkFrom(step.next, vars), vars);
  if (step.buttons?.length) return { state, posts: [questionPost(step, state.vars, REPROMPT_TEXT)] };
  return changeFromWalk(await walkFrom(undefined, vars), vars);
}

/** The variables with the step's answer kept under its variable, if it has one. */
const keep = (step: Step, vars: Record<string, string>, value: string) =>
  step.variable ? { ...vars, [step.variable]: value } : vars;

function answerWhileUploading(flow: Flow, state: BotState, text: string): Change {
  if (asksForHuman(text)) {
    const change = changeFromWalk(handoff(flow, state.vars), state.vars);
    return state.requestId
      ? { ...change, closeRequest: { id: state.requestId, status: 'skipped', mustBeOpen: false } }
      : change;
  }
  const step = stepById(flow, state.step ?? undefined);
  const orSkip = step?.optional ? ', or press Skip' : '';
  return {
    state,
    posts: [{ kind: 'text', stepId: step?.id, text: `Please use the upload button to send your file${orSkip}.` }],
  };
}

export async function onRequestAnswered(deps: Deps, chatId: string, requestId: string) {
  await transition(deps, chatId, async (chat, state) => {
    if (state?.waiting !== 'upload' || state.requestId !== requestId) return null;
    const flow = await flowOf(deps, chat);
    const w = await walkFor(deps, chat.workspace_id, flow, stepById(flow, state.step ?? undefined)?.next, state.vars);
    return changeFromWalk(w, state.vars);
  });
}

/** Moves past a closed request (skipped or expired) to the step's next, with the messages that say so first. */
export async function continuePastRequest(
  deps: Deps,
  chatId: string,
  requestId: string,
  how: { status: 'skipped' | 'expired'; lead: LeadMessage; handoff?: boolean },
) {
  return transition(deps, chatId, async (chat, state) => {
    if (state?.waiting !== 'upload' || state.requestId !== requestId) return null;
    const flow = await flowOf(deps, chat);
    const w = how.handoff
      ? handoff(flow, state.vars)
      : await walkFor(deps, chat.workspace_id, flow, stepById(flow, state.step ?? undefined)?.next, state.vars);
    return {
      ...changeFromWalk(w, state.vars),
      lead: [how.lead],
      closeRequest: { id: requestId, status: how.status, mustBeOpen: true },
    };
  });
}
