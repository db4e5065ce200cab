import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Unavailable } from '../core/index.js';

// The server dedupes on Nats-Msg-Id within this window; it matches the memory bus's recent-id window.
const DUPLICATE_WINDOW_MS = 2 * 60_000;
// The events table is the record; the stream only needs to cover consumer outages.
const MAX_AGE_MS = 7 * 24 * 60 * 60_000;

/** Creates the stream capturing `<prefix>.>` when missing; an existing one is left as operators tuned it. */
export async function ensureStream(jsm: JetStreamManager, name: string, prefix: string): Promise<void> {
  const subject = `${prefix}.>`;
  try {
    const info = await jsm.streams.info(name);
    if (!info.config.subjects?.includes(subject)) {
      throw new Unavailable(`stream ${name} exists but does not capture ${subject}`);
    }
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.StreamNotFound)) throw err;
    await jsm.streams.add({
      name,
      subjects: [subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(MAX_AGE_MS),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  }
}

/** Creates the durable pull consumer for a group, or points an existing one at the new filter. */
export async function ensureDurable(
  jsm: JetStreamManager,
  stream: string,
  name: string,
  filter: string,
  limits: { ackWaitMs: number; maxDeliver: number },
): Promise<void> {
  try {
    const info = await jsm.consumers.info(stream, name);
    if (info.config.filter_subject !== filter) {
      await jsm.consumers.update(stream, name, { filter_subject: filter });
    }
  } catch (err) {
    if (!isApiError(err, JetStreamApiCodes.ConsumerNotFound)) throw err;
    // DeliverPolicy.New: a new group starts at the present, as the memory bus's groups do.
    await jsm.consumers.add(stream, {
      durable_name: name,
      filter_subject: filter,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(limits.ackWaitMs),
      max_deliver: limits.maxDeliver,
      deliver_policy: DeliverPolicy.New,
    });
  }
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
