// The end of a call, when its customer's leg ends: the call is no longer tracked, its agent's dialled
// phone is hung up, its recording is finished and its `call.ended` event and metrics tell how long the
// caller waited and talked; a caller who hung up before reaching an agent abandons the task.
import { systemActor } from '../../core/index.js';
import { abandonTask } from '../../routing/index.js';
import type { EndCause } from '../leg.js';
import { endConsultations } from './consult.js';
import type { ActiveCall } from './model.js';
import type { CallDesk } from './outbound.js';

/** The customer's leg ended (every call ends so, whoever hung up): see the top of this file. */
export async function callerEnded(desk: CallDesk, a: ActiveCall, cause: EndCause): Promise<void> {
  // The caller hung up after asking for a call back: the task keeps their place.
  if (a.state === 'callback') return;
  const was = a.state;
  a.state = 'ended';
  a.generation++;
  await a.treatment?.stop();
  a.treatment = undefined;
  endConsultations(a);
  if (a.dialled && a.agentLeg && a.agentLeg.state !== 'ended') void a.agentLeg.hangup();
  desk.forget(a);
  await a.recording
    ?.stop()
    .catch((err: unknown) =>
      desk.logger.error(
        { err, conversationId: a.conversationId },
        'voice: the recording could not be finished',
      ),
    );
  const now = desk.deps.clock.now();
  const ended = {
    cause: a.endedBy ? 'hangup' : cause,
    by: a.endedBy ?? (cause === 'caller-hangup' ? 'caller' : 'system'),
    agentId: a.agentId,
    waitedMs: (a.connectedAt ?? now) - a.queuedAt,
    talkMs: a.connectedAt === undefined ? 0 : now - a.connectedAt,
  };
  desk.metrics?.ended(
    a.direction,
    a.connectedAt === undefined ? 'abandoned' : ended.cause,
    ended.waitedMs,
    ended.talkMs,
  );
  await desk.record(a, 'ended', ended);
  if (was === 'queued' || was === 'connecting') await abandon(desk, a, cause, false);
}

/** The task of a caller who hung up before an agent had them; `record` also records the call's end. */
export async function abandon(desk: CallDesk, a: ActiveCall, cause: EndCause, record = true): Promise<void> {
  if (record) {
    desk.metrics?.ended(a.direction, 'abandoned', 0, 0);
    await desk.record(a, 'ended', { cause, by: 'caller', waitedMs: 0, talkMs: 0 });
  }
  await abandonTask(desk.deps.routing, systemActor(a.tenantId), a.taskId).catch((err: unknown) =>
    desk.logger.warn({ err, taskId: a.taskId }, 'voice: could not mark the abandoned call in routing'),
  );
}
