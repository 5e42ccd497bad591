// Issue 17: who the visitor is and where they are, and how long they have waited.
// - chats.visitor_info (JSON): page URL, referrer, user agent, language, time zone sent by the widget, and the name,
//   e-mail and custom attributes the embedding page gave with Parley('identify', …) (modules/chats/visitor-details.ts).
// - chats.waiting_since: when the visitor started waiting for an agent — the hand-over to the queue, or their oldest
//   message no agent has answered yet. The message trigger of 1801 keeps it in the same single statement: a visitor's
//   message in a waiting or open chat starts it (if not started), an agent's message clears it.
import { type Kysely, sql } from 'kysely';

const waitingSince = sql.raw(`waiting_since = case
        when new.author_role = 'agent' then null
        when new.author_role = 'visitor' and status in ('waiting', 'open') then coalesce(waiting_since, new.created_at)
        else waiting_since end`);

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.alterTable('chats').addColumn('visitor_info', 'text').execute();
  await db.schema.alterTable('chats').addColumn('waiting_since', 'text').execute();
  // Chats already in the queue: waiting since their last change (the hand-over, or a later message).
  await db.updateTable('chats').set({ waiting_since: sql`updated_at` }).where('status', '=', 'waiting').execute();
  if (dialect === 'sqlite') {
    await sql`drop trigger messages_touch_chat`.execute(db);
    await sql`create trigger messages_touch_chat after insert on messages begin
      update chats set last_message_at = new.created_at, updated_at = new.created_at, ${waitingSince}
      where id = new.chat_id; end`.execute(db);
    return;
  }
  const seq = await sql<{ name: string }>`select pg_get_serial_sequence('messages', 'seq') as name`.execute(db);
  await sql`create or replace function messages_touch_chat() returns trigger as $$
    begin
      update chats set last_message_at = new.created_at, updated_at = new.created_at, ${waitingSince}
      where id = new.chat_id;
      new.seq := nextval(${sql.lit(seq.rows[0]!.name)}::regclass);
      return new;
    end $$ language plpgsql`.execute(db);
}
