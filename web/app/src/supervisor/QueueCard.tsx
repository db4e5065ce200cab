import { useTranslation } from 'react-i18next';
import {
  AGENT_STATES,
  type AgentState,
  formatDuration,
  LEVEL_COLOR,
  type Queue,
  type QueueStat,
  STATE_COLOR,
  serviceLevelLevel,
  waitLevel,
} from './model';

export interface QueueCardProps {
  queue: Queue;
  stat: QueueStat | undefined;
  /** Agents of the queue by state. */
  agents: Record<AgentState, number>;
  /** Longest wait now (grown client-side since the last statistics). */
  longestWaitMs: number;
  onOpen(): void;
}

const EMPTY: QueueStat = {
  queueId: '',
  waiting: 0,
  longestWaitMs: 0,
  availableAgents: 0,
  offered: 0,
  answered: 0,
  abandoned: 0,
  serviceLevel: 1,
  asaMs: 0,
};

export function QueueCard({ queue, stat, agents, longestWaitMs, onOpen }: QueueCardProps) {
  const { t } = useTranslation('supervisor');
  const s = stat ?? EMPTY;
  const ended = s.answered + s.abandoned;
  const sl = serviceLevelLevel(s.serviceLevel, queue.serviceLevelTarget, ended);
  const wl = waitLevel(longestWaitMs, queue.serviceLevelSeconds, s.waiting);
  const worst = [sl, wl].includes('bad')
    ? 'bad'
    : [sl, wl].includes('warn')
      ? 'warn'
      : s.waiting
        ? 'good'
        : '';
  const id = queue.id;
  const staffed = AGENT_STATES.filter((st) => st !== 'offline').reduce((n, st) => n + agents[st], 0);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a card holding a grid of figures; a <button> cannot hold block layout well
    <div
      className={`sb-qcard ${worst ? `level-${worst}` : ''}`}
      role="button"
      tabIndex={0}
      aria-label={t('queue.open', { name: queue.name })}
      data-testid={`queue-card-${id}`}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onOpen();
        }
      }}
    >
      <div className="sb-qcard-head">
        <span className="sb-qcard-name" title={queue.name}>
          {queue.name}
        </span>
        <span className="sb-qcard-sub">
          {t('queue.slGoal', {
            target: Math.round(queue.serviceLevelTarget * 100),
            seconds: queue.serviceLevelSeconds,
          })}
        </span>
      </div>
      <div className="sb-qcard-main">
        <div className="sb-metric-label">{t('queue.waiting')}</div>
        <div className="sb-metric-label">{t('queue.longestWait')}</div>
        <div className="sb-metric-label">{t('queue.serviceLevel')}</div>
        <div
          className="sb-metric-big"
          data-testid={`queue-${id}-waiting`}
          style={{ color: s.waiting > 0 ? LEVEL_COLOR[wl] : '#1f2329' }}
        >
          {s.waiting}
        </div>
        <div
          className="sb-metric-mid"
          data-testid={`queue-${id}-longest-wait`}
          data-level={wl}
          style={{ color: LEVEL_COLOR[wl] }}
        >
          {s.waiting > 0 ? formatDuration(longestWaitMs) : '—'}
        </div>
        <div
          className="sb-metric-mid"
          data-testid={`queue-${id}-sl`}
          data-level={sl}
          style={{ color: LEVEL_COLOR[sl] }}
        >
          {ended > 0 ? `${Math.round(s.serviceLevel * 100)}%` : '—'}
        </div>
      </div>
      <div className="sb-qcard-foot">
        <span>
          {t('queue.asa')} <b data-testid={`queue-${id}-asa`}>{s.answered ? formatDuration(s.asaMs) : '—'}</b>
        </span>
        <span>
          {t('queue.abandoned')}{' '}
          <b data-testid={`queue-${id}-abandoned`} style={s.abandoned ? { color: '#e5484d' } : undefined}>
            {s.abandoned}
          </b>
        </span>
        <span>
          {t('queue.answered')} <b data-testid={`queue-${id}-answered`}>{s.answered}</b>
        </span>
        <span>
          {t('queue.offered')} <b data-testid={`queue-${id}-offered`}>{s.offered}</b>
        </span>
      </div>
      <div className="sb-statebar" aria-hidden="true">
        {AGENT_STATES.filter((st) => st !== 'offline').map((st) =>
          agents[st] ? <span key={st} style={{ flex: agents[st], background: STATE_COLOR[st] }} /> : null,
        )}
        {staffed === 0 && <span style={{ flex: 1 }} />}
      </div>
      <div className="sb-stateline">
        {AGENT_STATES.map((st) => (
          <span key={st}>
            <i className="sb-dot" style={{ background: STATE_COLOR[st] }} />
            {t(`state.${st}`)} <b data-testid={`queue-${id}-agents-${st}`}>{agents[st]}</b>
          </span>
        ))}
      </div>
    </div>
  );
}
