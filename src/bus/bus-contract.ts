import { afterEach, describe, expect, it } from 'vitest';
import { type DomainEvent, InvalidInput, newId, Unavailable } from '../core/index.js';
import type { EventBus, EventHandler, Subscription } from './contract.js';

/**
 * The behaviour every EventBus must show, run by `test/bus.test.ts` against each implementation.
 * Every case uses fresh tenant ids and durable names, so runs against a shared server cannot meet.
 * Absence is checked by publishing a later event the subscriber must get and relying on
 * per-subscriber publish order, never by sleeping.
 */
export function runBusContract(name: string, makeBus: () => Promise<EventBus>): void {
  describe(`EventBus contract: ${name}`, () => {
    const open: EventBus[] = [];
    async function bus(): Promise<EventBus> {
      const b = await makeBus();
      open.push(b);
      return b;
    }
    afterEach(async () => {
      await Promise.all(open.splice(0).map((b) => b.close()));
    });

    it('an ephemeral subscriber receives a published event with its payload intact', async () => {
      const b = await bus();
      const tenant = newId();
      const got: DomainEvent[] = [];
      await b.subscribe({ pattern: `sb.${tenant}.>`, handler: collect(got) });
      const sent = eventFor(tenant, 'conversation.created', {
        text: 'héllo ✓ "quoted"',
        n: 1.5,
        nested: { list: [1, null, 'x'], flag: false },
      });
      await b.publish(sent);
      await waitFor(() => got.length === 1);
      expect(got[0]).toEqual(sent);
    });

    it('`*` matches exactly one token and `>` one or more trailing tokens', async () => {
      const b = await bus();
      const tenant = newId();
      const star: DomainEvent[] = [];
      const rest: DomainEvent[] = [];
      await b.subscribe({ pattern: `sb.${tenant}.*.created`, handler: collect(star) });
      await b.subscribe({ pattern: `sb.${tenant}.conversation.>`, handler: collect(rest) });
      const types = [
        'conversation.created',
        'contact.created',
        'conversation.note.created',
        'conversation.updated',
        'conversation',
        'contact.updated',
      ];
      for (const type of types) await b.publish(eventFor(tenant, type));
      const last = eventFor(tenant, 'conversation.created');
      await b.publish(last);
      await waitFor(() => star.at(-1)?.id === last.id && rest.at(-1)?.id === last.id);
      expect(star.map((e) => e.type)).toEqual([
        'conversation.created',
        'contact.created',
        'conversation.created',
      ]);
      expect(rest.map((e) => e.type)).toEqual([
        'conversation.created',
        'conversation.note.created',
        'conversation.updated',
        'conversation.created',
      ]);
    });

    it('a tenant pattern never sees another tenant', async () => {
      const b = await bus();
      const [tenantA, tenantB] = [newId(), newId()];
      const seenA: DomainEvent[] = [];
      const seenB: DomainEvent[] = [];
      await b.subscribe({ pattern: `sb.${tenantA}.>`, handler: collect(seenA) });
      await b.subscribe({ pattern: `sb.${tenantB}.>`, handler: collect(seenB) });
      for (let i = 0; i < 5; i++) await b.publish(eventFor(tenantB, 'conversation.created'));
      const lastA = eventFor(tenantA, 'conversation.created');
      await b.publish(lastA);
      await waitFor(() => seenA.some((e) => e.id === lastA.id) && seenB.length === 5);
      expect(seenA.map((e) => e.tenantId)).toEqual([tenantA]);
      expect(new Set(seenB.map((e) => e.tenantId))).toEqual(new Set([tenantB]));
    });

    it('rejects patterns that can never match a bus subject', async () => {
      const b = await bus();
      const handler = () => undefined;
      await expect(b.subscribe({ pattern: 'other.>', handler })).rejects.toBeInstanceOf(InvalidInput);
      await expect(b.subscribe({ pattern: 'sb.*', handler })).rejects.toBeInstanceOf(InvalidInput);
      await expect(b.subscribe({ pattern: 'sb.>.x', handler })).rejects.toBeInstanceOf(InvalidInput);
    });

    it('publishing the same event id twice delivers it once', async () => {
      const b = await bus();
      const tenant = newId();
      const got: DomainEvent[] = [];
      await b.subscribe({ pattern: `sb.${tenant}.>`, handler: collect(got) });
      const twice = eventFor(tenant, 'conversation.created');
      await b.publish(twice);
      await b.publish({ ...twice });
      const after = eventFor(tenant, 'conversation.closed');
      await b.publish(after);
      await waitFor(() => got.some((e) => e.id === after.id));
      expect(got.map((e) => e.id)).toEqual([twice.id, after.id]);
    });

    it('each subscriber gets 200 events in publish order', async () => {
      const b = await bus();
      const tenant = newId();
      const live: DomainEvent[] = [];
      const durable: DomainEvent[] = [];
      await b.subscribe({ pattern: `sb.${tenant}.>`, handler: collect(live) });
      await b.subscribe({ pattern: `sb.${tenant}.>`, durable: durableName(), handler: collect(durable) });
      const sent: string[] = [];
      for (let i = 0; i < 200; i++) {
        const e = eventFor(tenant, 'message.received', { i });
        sent.push(e.id);
        await b.publish(e);
      }
      await waitFor(() => live.length === 200 && durable.length === 200);
      expect(live.map((e) => e.id)).toEqual(sent);
      expect(durable.map((e) => e.id)).toEqual(sent);
    });

    it('a durable group of two handles each of 50 events exactly once', async () => {
      const b = await bus();
      const tenant = newId();
      const group = durableName();
      const handled = new Map<string, number>();
      const perMember = [0, 0];
      const member =
        (index: 0 | 1): EventHandler =>
        async (e) => {
          perMember[index]! += 1;
          handled.set(e.id, (handled.get(e.id) ?? 0) + 1);
        };
      await b.subscribe({ pattern: `sb.${tenant}.>`, durable: group, handler: member(0) });
      await b.subscribe({ pattern: `sb.${tenant}.>`, durable: group, handler: member(1) });
      const sent: string[] = [];
      for (let i = 0; i < 50; i++) {
        const e = eventFor(tenant, 'task.created', { i });
        sent.push(e.id);
        await b.publish(e);
      }
      await waitFor(() => handled.size === 50);
      expect([...handled.keys()].sort()).toEqual([...sent].sort());
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      expect(perMember[0]! + perMember[1]!).toBe(50);
    });

    it('a durable handler that throws gets the event again and then handles it', async () => {
      const b = await bus();
      const tenant = newId();
      const attempts: string[] = [];
      const handled: string[] = [];
      await b.subscribe({
        pattern: `sb.${tenant}.>`,
        durable: durableName(),
        handler: (e) => {
          attempts.push(e.id);
          if (attempts.length === 1) throw new Error('transient failure');
          handled.push(e.id);
        },
      });
      const e = eventFor(tenant, 'conversation.created');
      await b.publish(e);
      await waitFor(() => handled.length === 1);
      expect(attempts).toEqual([e.id, e.id]);
      expect(handled).toEqual([e.id]);
    });

    it('events published while a durable group has no members reach its next subscriber', async () => {
      const b = await bus();
      const tenant = newId();
      const group = durableName();
      const first = await b.subscribe({
        pattern: `sb.${tenant}.>`,
        durable: group,
        handler: () => undefined,
      });
      await first.unsubscribe();
      const sent: string[] = [];
      for (let i = 0; i < 5; i++) {
        const e = eventFor(tenant, 'task.created', { i });
        sent.push(e.id);
        await b.publish(e);
      }
      const got: DomainEvent[] = [];
      await b.subscribe({ pattern: `sb.${tenant}.>`, durable: group, handler: collect(got) });
      await waitFor(() => got.length === 5);
      expect(got.map((e) => e.id)).toEqual(sent);
    });

    it('unsubscribe stops delivery', async () => {
      const b = await bus();
      const tenant = newId();
      const gone: DomainEvent[] = [];
      const goneDurable: DomainEvent[] = [];
      const witness: DomainEvent[] = [];
      const subs: Subscription[] = [
        await b.subscribe({ pattern: `sb.${tenant}.>`, handler: collect(gone) }),
        await b.subscribe({
          pattern: `sb.${tenant}.>`,
          durable: durableName(),
          handler: collect(goneDurable),
        }),
      ];
      await b.subscribe({ pattern: `sb.${tenant}.>`, handler: collect(witness) });
      await b.publish(eventFor(tenant, 'conversation.created'));
      await waitFor(() => gone.length === 1 && goneDurable.length === 1 && witness.length === 1);
      for (const s of subs) await s.unsubscribe();
      for (let i = 0; i < 3; i++) await b.publish(eventFor(tenant, 'conversation.updated'));
      await waitFor(() => witness.length === 4);
      expect(gone).toHaveLength(1);
      expect(goneDurable).toHaveLength(1);
    });

    it('ping answers while open; close is idempotent and refuses further use', async () => {
      const b = await bus();
      const tenant = newId();
      await b.subscribe({ pattern: `sb.${tenant}.>`, handler: () => undefined });
      await b.subscribe({ pattern: `sb.${tenant}.>`, durable: durableName(), handler: () => undefined });
      await expect(b.ping()).resolves.toBeUndefined();
      await b.close();
      await b.close();
      await expect(b.ping()).rejects.toBeInstanceOf(Unavailable);
      await expect(b.publish(eventFor(tenant, 'conversation.created'))).rejects.toBeInstanceOf(Unavailable);
    });
  });
}

function collect(into: DomainEvent[]): EventHandler {
  return (e) => {
    into.push(e);
  };
}

function durableName(): string {
  return `contract-${newId()}`;
}

function eventFor(tenantId: string, type: string, payload: unknown = {}): DomainEvent {
  return {
    id: newId(),
    tenantId,
    type,
    aggregateType: type.split('.')[0]!,
    aggregateId: newId(),
    payload,
    actor: 'system:test',
    occurredAt: new Date().toISOString(),
  };
}

/** Polls until `condition` holds; the deadline only bounds a failing test, it is not a timing assertion. */
async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
