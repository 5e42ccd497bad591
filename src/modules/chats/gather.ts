// Visitors' messages gathered into shared statements on PostgreSQL. Each message posted by token is one INSERT …
// SELECT (chatsRepo.insertFromVisitorToken); on PostgreSQL each is a round trip to another process and a commit that
// waits for the log's flush, and those, not the statement's work, are what a busy node pays for. So at most
// IN_FLIGHT statements are out at a time: a message that finds a free slot goes out alone at once (no wait is ever
// added to a quiet node), the ones that arrive while the slots are busy wait for the next free one and go out
// together, as one statement and one commit (insertFromVisitorTokens). A statement out for longer than STALLED_MS
// no longer counts against the slots: a chat whose row another transaction holds delays only the messages it was
// sent with, never the node's. SQLite runs in process and commits without a round trip: there every message is its
// own statement, as before.
// A statement of several that fails for a reason other than a lost connection (a deadlock with a transaction that
// locks several chats, say) is not the fault of any one message: each is then tried alone, as it would have been.
import type { Dialect, Db } from '../../db/index.js';
import type { ChatsTable, MessageRow } from '../../db/types.js';
import { isConnectionFault } from '../../db/resilient.js';
import { nowIso } from '../../ids.js';
import { chatsRepo } from './repo.js';

const IN_FLIGHT = 2;
const MAX_GATHERED = 100;
const STALLED_MS = 100;

export interface VisitorPost {
  tokenHash: string;
  id: string;
  text: string;
}
export type Inserted = { row: MessageRow; chatStatus: ChatsTable['status'] } | undefined;
/** Inserts a visitor's message by token: its row and chat status, or undefined when the statement did not take it. */
export type InsertVisitorPost = (post: VisitorPost) => Promise<Inserted>;

interface Waiting {
  item: VisitorPost & { createdAt: string };
  resolve: (r: Inserted) => void;
  reject: (err: unknown) => void;
}

export function gatherVisitorPosts(db: Db, dialect: Dialect, gathered?: (size: number) => void): InsertVisitorPost {
  if (dialect !== 'postgres') return (post) => chatsRepo.insertFromVisitorToken(db, post.tokenHash, post);
  const queue: Waiting[] = [];
  let inFlight = 0;

  const alone = (w: Waiting) =>
    chatsRepo.insertFromVisitorToken(db, w.item.tokenHash, w.item).then(w.resolve, w.reject);

  async function send(batch: Waiting[]) {
    if (batch.length === 1) return alone(batch[0]!);
    let rows: Map<string, NonNullable<Inserted>>;
    try {
      rows = await chatsRepo.insertFromVisitorTokens(
        db,
        batch.map((w) => w.item),
      );
    } catch (err) {
      if (isConnectionFault(err)) for (const w of batch) w.reject(err);
      else await Promise.all(batch.map(alone));
      return;
    }
    gathered?.(batch.length);
    for (const w of batch) w.resolve(rows.get(w.item.id));
  }

  function pump() {
    while (inFlight < IN_FLIGHT && queue.length > 0) {
      const batch = queue.splice(0, MAX_GATHERED);
      inFlight++;
      // A statement still out after STALLED_MS waits for something (a chat's row lock held by a long transaction):
      // it stops counting, so the messages of every other chat do not wait behind it.
      let counted = true;
      const release = () => {
        if (!counted) return;
        counted = false;
        inFlight--;
        pump();
      };
      const stalled = setTimeout(release, STALLED_MS);
      void send(batch).finally(() => {
        clearTimeout(stalled);
        release();
      });
    }
  }

  return (post) =>
    new Promise<Inserted>((resolve, reject) => {
      queue.push({ item: { ...post, createdAt: nowIso() }, resolve, reject });
      pump();
    });
}
