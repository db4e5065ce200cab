import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { runBusContract } from '../src/bus/bus-contract.js';
import { createMemoryBus, createNatsBus, type EventBus } from '../src/bus/index.js';
import { newId } from '../src/core/index.js';
import { SERVICES, serviceAvailable } from './support/services.js';

const logger = pino({ level: 'silent' });
const natsUp = await serviceAvailable('nats');

runBusContract('memory', async () => createMemoryBus({ logger }));

describe('memory bus', () => {
  it('dead-letters an event whose durable handler fails maxDeliver times', async () => {
    const bus = createMemoryBus({ logger, maxDeliver: 3, retryBaseMs: 1 });
    const tenantId = newId();
    let attempts = 0;
    await bus.subscribe({
      pattern: `sb.${tenantId}.>`,
      durable: 'always-fails',
      handler: () => {
        attempts += 1;
        throw new Error('handler broken');
      },
    });
    const event = {
      id: newId(),
      tenantId,
      type: 'task.created',
      aggregateType: 'task',
      aggregateId: newId(),
      payload: {},
      actor: 'system:test',
      occurredAt: new Date().toISOString(),
    };
    await bus.publish(event);
    await vi.waitFor(() => expect(bus.deadLetters).toHaveLength(1), { timeout: 5000 });
    expect(bus.deadLetters[0]).toMatchObject({ event, durable: 'always-fails', attempts: 3 });
    expect(attempts).toBe(3);
    await bus.close();
  });
});

describe.skipIf(!natsUp)('nats', () => {
  // Each bus gets its own stream and subject prefix (JetStream streams may not overlap), and
  // closing the bus deletes the stream so test runs do not pile up on the server.
  runBusContract('nats', async () => {
    const suffix = Math.random().toString(36).slice(2, 10);
    const stream = `SBTEST_${suffix}`;
    const bus = await createNatsBus({
      url: SERVICES.nats.url,
      stream,
      subjectPrefix: `sbtest_${suffix}`,
      logger,
    });
    return withStreamDeletedOnClose(bus, stream);
  });
});

function withStreamDeletedOnClose(bus: EventBus, stream: string): EventBus {
  let deleted: Promise<void> | undefined;
  return {
    kind: bus.kind,
    publish: (event) => bus.publish(event),
    subscribe: (options) => bus.subscribe(options),
    ping: () => bus.ping(),
    async close() {
      await bus.close();
      deleted ??= deleteStream(stream);
      await deleted;
    },
  };
}

async function deleteStream(stream: string): Promise<void> {
  const nc = await connect({ servers: SERVICES.nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream);
  } finally {
    await nc.close();
  }
}
