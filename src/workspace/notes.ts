import { type Actor, actorTag, InvalidInput, newId } from '../core/index.js';
import { type Db, findInTenant, type StoreDeps, type Trx } from '../storage/index.js';

/**
 * Private notes on a conversation: staff only. They live in their own table, never in `messages`,
 * so no channel, history endpoint or dispatcher can ever send one to the customer.
 */
export interface Note {
  id: string;
  conversationId: string;
  authorId: string;
  authorName: string;
  text: string;
  /** Users of the tenant the note calls on (`@王芳`). */
  mentions: string[];
  createdAt: string;
}

export interface NewNote {
  text: string;
  mentions?: string[] | undefined;
}

function noteQuery(db: Db | Trx, tenantId: string) {
  return db
    .selectFrom('conversation_notes as n')
    .innerJoin('users as u', (j) =>
      j.onRef('u.tenant_id', '=', 'n.tenant_id').onRef('u.id', '=', 'n.author_id'),
    )
    .select([
      'n.id',
      'n.conversation_id',
      'n.author_id',
      'u.display_name',
      'n.text',
      'n.mentions',
      'n.created_at',
    ])
    .where('n.tenant_id', '=', tenantId);
}

type NoteRow = Awaited<ReturnType<ReturnType<typeof noteQuery>['executeTakeFirstOrThrow']>>;

function toNote(r: NoteRow): Note {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    authorId: r.author_id,
    authorName: r.display_name,
    text: r.text,
    mentions: r.mentions,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** Oldest first, like the transcript they sit beside. */
export async function listNotes(
  { db }: Pick<StoreDeps, 'db'>,
  actor: Actor,
  conversationId: string,
): Promise<{ items: Note[] }> {
  await findInTenant(db, 'conversations', actor.tenantId, conversationId, { entity: 'conversation' });
  const rows = await noteQuery(db, actor.tenantId)
    .where('n.conversation_id', '=', conversationId)
    .orderBy('n.id')
    .execute();
  return { items: rows.map(toNote) };
}

async function assertUsers(trx: Trx, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await trx
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  const known = new Set(found.map((u) => u.id));
  const strangers = ids.filter((id) => !known.has(id));
  if (strangers.length > 0) {
    const err = new InvalidInput(
      `mentions must be users of this tenant: ${strangers.join(', ')}`,
      'mentions',
    );
    err.extra.unknown = strangers;
    throw err;
  }
}

export async function addNote(
  deps: StoreDeps,
  actor: Actor,
  conversationId: string,
  input: NewNote,
): Promise<Note> {
  const text = input.text.trim();
  if (!text) throw new InvalidInput('a note needs text', 'text');
  const authorId = actor.userId;
  if (!authorId) throw new InvalidInput('notes are written by signed-in users', 'author');
  const mentions = [...new Set((input.mentions ?? []).map((id) => id.toLowerCase()))];
  return deps.outbox.transact(async (uow) => {
    const conversation = await findInTenant(uow.trx, 'conversations', actor.tenantId, conversationId, {
      entity: 'conversation',
    });
    await assertUsers(uow.trx, actor.tenantId, mentions);
    const id = newId();
    await uow.trx
      .insertInto('conversation_notes')
      .values({
        id,
        tenant_id: actor.tenantId,
        conversation_id: conversationId,
        author_id: authorId,
        text,
        mentions: JSON.stringify(mentions),
      })
      .execute();
    const note = toNote(
      await noteQuery(uow.trx, actor.tenantId).where('n.id', '=', id).executeTakeFirstOrThrow(),
    );
    await uow.emit({
      tenantId: actor.tenantId,
      type: 'note.created',
      aggregateType: 'conversation',
      aggregateId: conversationId,
      payload: { ...note, customerId: conversation.customer_id },
      actor: actorTag(actor),
    });
    return note;
  });
}
