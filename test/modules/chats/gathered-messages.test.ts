// Visitors' messages posted at the same time (issue 18, item 4): on PostgreSQL the node sends those that arrive while
// its statements are out as one statement (src/modules/chats/gather.ts). Whatever shares a statement, each request
// gets its own answer: its own message in its own chat, or the refusal it would have had alone. Runs on both
// databases (SQLite never gathers; the answers are the same).
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { call, type VisitorSession } from '../../support/client.js';
import { onPostgres } from '../../support/databases.js';
import { connect } from '../../support/sockets.js';
import { useServer } from '../../support/server.js';

const TOKEN = 'metrics-token-for-gathered-messages';
const s = useServer({ env: { PARLEY_METRICS_TOKEN: TOKEN } });

/** Sum of the histogram's observations: how many messages went out in statements of several. */
async function gatheredMessages(): Promise<number> {
  const res = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const line = (await res.text()).split('\n').find((l) => l.startsWith('parley_visitor_messages_per_statement_sum '));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** `n` visitors whose chats an agent has taken over, each with one message already sent (their token is known). */
async function openChats(n: number): Promise<VisitorSession[]> {
  const visitors = await Promise.all(Array.from({ length: n }, () => s.visitor()));
  for (const v of visitors) {
    expect((await s.asOwner('POST', s.api(`/chats/${v.chat.id}/messages`), { text: 'hello' })).status).toBe(201);
    const first = await post(v, 'first');
    expect(first.status).toBe(201);
  }
  return visitors;
}

/** Texts that an array literal must carry as they are (the shared statement sends the texts as one text[]). */
const TRICKY = ['"quoted", {braces}', 'back\\slash NULL', '😀 ünïcode\nand a line'];

const post = (v: VisitorSession, text: string) =>
  call(s.url, 'POST', '/api/widget/chat/messages', { token: v.visitorToken, body: { text } });

async function messagesOf(v: VisitorSession) {
  const r = await call(s.url, 'GET', '/api/widget/chat/messages', { token: v.visitorToken });
  expect(r.status).toBe(200);
  return r.body.messages as { id: string; text: string; authorRole: string }[];
}

describe('visitor messages posted at the same time', () => {
  it('gives each its own answer, message and chat; refusals stay with their own request', async () => {
    const visitors = await openChats(12);
    const [closed, erased, ...open] = visitors as [VisitorSession, VisitorSession, ...VisitorSession[]];
    expect((await s.asOwner('POST', s.api(`/chats/${closed.chat.id}/close`))).status).toBe(200);
    const { visitor_id } = await s.parley.deps.db
      .selectFrom('chats')
      .select('visitor_id')
      .where('id', '=', erased.chat.id)
      .executeTakeFirstOrThrow();
    expect((await s.asOwner('DELETE', s.api(`/visitors/${visitor_id}`))).status).toBe(202);
    const agent = await connect(s.url, {}, { cookie: s.owner });
    const announced: { message: { id: string; chatId: string } }[] = [];
    agent.on('message.created', (e) => announced.push(e));
    const before = await gatheredMessages();

    // Three messages from each open chat's visitor and one from each refused one, all at once.
    const sends = [
      ...open.flatMap((v) => [0, 1, 2].map((i) => ({ v, text: `${v.chat.id} says ${TRICKY[i]}` }))),
      { v: closed, text: 'after the close' },
      { v: erased, text: 'after the erasure' },
    ];
    const answers = await Promise.all(sends.map(({ v, text }) => post(v, text)));

    answers.forEach((r, i) => {
      const { v, text } = sends[i]!;
      if (v === closed) expect([r.status, r.body.error?.code]).toEqual([409, 'CHAT_CLOSED']);
      else if (v === erased) expect(r.status).toBe(401);
      else {
        expect(r.status).toBe(201);
        expect(r.body.message).toMatchObject({ text, authorRole: 'visitor', chatId: v.chat.id });
      }
    });
    for (const v of open) {
      const texts = (await messagesOf(v)).filter((m) => m.authorRole === 'visitor').map((m) => m.text);
      expect(texts.slice(1).sort()).toEqual([0, 1, 2].map((i) => `${v.chat.id} says ${TRICKY[i]}`).sort());
    }
    expect((await messagesOf(closed)).some((m) => m.text === 'after the close')).toBe(false);
    // Every accepted message is announced once, in its own chat.
    await expect.poll(() => announced.length).toBeGreaterThanOrEqual(open.length * 3);
    const accepted = answers.filter((r) => r.status === 201).map((r) => r.body.message);
    for (const m of accepted)
      expect(announced.filter((e) => e.message.id === m.id).map((e) => e.message.chatId)).toEqual([m.chatId]);
    agent.close();

    // On PostgreSQL the 32 requests shared statements; SQLite never gathers.
    const gathered = (await gatheredMessages()) - before;
    if (onPostgres()) expect(gathered).toBeGreaterThan(1);
    else expect(gathered).toBe(0);
  });

  it.runIf(onPostgres())('tries each message alone when the shared statement fails for one of them', async () => {
    const visitors = await openChats(8);
    const db = new pg.Client({ connectionString: s.databaseUrl });
    await db.connect();
    // A message the database refuses by its content: alone it fails, and it must not take the others with it. The
    // sequence (outside any transaction) counts the statements that tried it.
    await db.query('create sequence poison_tries');
    await db.query(`create function refuse_poison() returns trigger as $$ begin
      if new.text = 'poison' then perform nextval('poison_tries'); raise exception 'refused by the test'; end if;
      return new; end $$ language plpgsql`);
    await db.query(
      'create trigger refuse_poison before insert on messages for each row execute function refuse_poison()',
    );
    const tries = async () =>
      Number(
        (await db.query('select case when is_called then last_value else 0 end as n from poison_tries')).rows[0].n,
      );
    try {
      let rounds = 0;
      let ok = 0;
      // Until the poison has shared a statement with others (it went out alone in a round where it came first).
      while (rounds < 5 && (await tries()) <= rounds) {
        rounds++;
        const sends = visitors.flatMap((v, i) => [0, 1, 2].map((k) => ({ v, poison: i === 3 && k === 1 })));
        const answers = await Promise.all(sends.map(({ v, poison }) => post(v, poison ? 'poison' : `ok ${ok++}`)));
        answers.forEach((r, i) => expect(r.status).toBe(sends[i]!.poison ? 500 : 201));
      }
      expect(await tries()).toBeGreaterThan(rounds);
      const texts = (await Promise.all(visitors.map(messagesOf))).flat().map((m) => m.text);
      for (let i = 0; i < ok; i++) expect(texts.filter((t) => t === `ok ${i}`)).toHaveLength(1);
      expect(texts).not.toContain('poison');
    } finally {
      await db.query('drop trigger refuse_poison on messages');
      await db.end();
    }
  });

  it.runIf(onPostgres())("a chat whose row another transaction holds does not hold other chats' messages", async () => {
    const [x, y, ...others] = await openChats(8);
    const db = new pg.Client({ connectionString: s.databaseUrl });
    await db.connect();
    try {
      // Both statement slots end up waiting for these two chats' row locks (the message trigger touches the chat).
      await db.query('begin');
      await db.query('select id from chats where id = any($1) for update', [[x!.chat.id, y!.chat.id]]);
      const blocked = [post(x!, 'x waits'), post(y!, 'y waits')];
      await new Promise((r) => setTimeout(r, 300));
      const answers = await Promise.race([
        Promise.all(others.map((v) => post(v, 'not held'))),
        new Promise<'held'>((r) => setTimeout(() => r('held'), 20_000)),
      ]);
      expect(answers === 'held' ? answers : answers.map((r) => r.status)).toEqual(others.map(() => 201));
      await db.query('commit');
      expect((await Promise.all(blocked)).map((r) => r.status)).toEqual([201, 201]);
    } finally {
      await db.query('rollback').catch(() => {});
      await db.end();
    }
  });
});
