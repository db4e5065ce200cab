// Recording for the call centre: a call is recorded from the moment it reaches an agent when its queue
// records calls (the default), the customer on the left channel and whichever agent has the call on the
// right; the encrypted file's row is written when the call ends.
import type { Logger } from 'pino';
import { newId } from '../../core/index.js';
import type { Cipher } from '../../security/index.js';
import type { Db } from '../../storage/index.js';
import { recordingsDir, recordingsRoot, saveRecording, startRecording } from '../recording/index.js';
import type { CallRecorder } from './center.js';

export interface CallRecorderDeps {
  db: Db;
  cipher: Cipher;
  dataDir: string;
  logger: Logger;
}

async function queueRecords(db: Db, tenantId: string, queueId: string | undefined): Promise<boolean> {
  if (!queueId) return true;
  const row = await db
    .selectFrom('queues')
    .select('record_calls')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', queueId)
    .executeTakeFirst();
  return row?.record_calls ?? true;
}

export function createCallRecorder(deps: CallRecorderDeps): CallRecorder {
  return {
    async start(input) {
      if (!(await queueRecords(deps.db, input.tenantId, input.queueId))) return undefined;
      const recorder = startRecording(
        { dir: recordingsDir(deps.dataDir, input.tenantId), cipher: deps.cipher, logger: deps.logger },
        { id: newId(), customer: input.customer },
      );
      const agents = new Set<string>();
      return {
        setAgent(media, agentId) {
          recorder.setAgent(media);
          if (agentId) agents.add(agentId);
        },
        async stop() {
          const file = await recorder.stop();
          await saveRecording(
            { db: deps.db, dir: recordingsRoot(deps.dataDir) },
            {
              tenantId: input.tenantId,
              conversationId: input.conversationId,
              callId: input.callId,
              customerId: input.customerId,
              agentIds: [...agents],
              file,
            },
          );
        },
      };
    },
  };
}
