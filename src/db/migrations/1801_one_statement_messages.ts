// Issue 18: a message and the touch of its chat (last_message_at, updated_at) are one statement, one round trip.
// PostgreSQL: a BEFORE INSERT trigger updates the chat row first — taking its lock — and only then draws the message's
// sequence number, so the messages of one chat still commit in seq order (a reader paging with after= never passes a
// message that commits later). SQLite has one writer at a time, so an AFTER INSERT trigger is enough.
// Also the delivery log's status + kind filter, which walked every row of the status (125 ms at a million rows).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createIndex('deliveries_ws_status_kind_id')
    .on('deliveries')
    .columns(['workspace_id', 'status', 'kind', 'id'])
    .execute();
  if (dialect === 'sqlite') {
    await sql`create trigger messages_touch_chat after insert on messages begin
      update chats set last_message_at = new.created_at, updated_at = new.created_at
      where id = new.chat_id; end`.execute(db);
    return;
  }
  const seq = await sql<{ name: string }>`select pg_get_serial_sequence('messages', 'seq') as name`.execute(db);
  await sql`create function messages_touch_chat() returns trigger as $$
    begin
      update chats set last_message_at = new.created_at, updated_at = new.created_at where id = new.chat_id;
      new.seq := nextval(${sql.lit(seq.rows[0]!.name)}::regclass);
      return new;
    end $$ language plpgsql`.execute(db);
  await sql`create trigger messages_touch_chat before insert on messages
    for each row execute function messages_touch_chat()`.execute(db);
}
