import { Empty, Switch, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  AGENT_STATES,
  type AgentStat,
  formatDuration,
  nameOf,
  onBoard,
  STATE_COLOR,
  type User,
} from './model';
import { useNow } from './useWallboard';

const ORDER = Object.fromEntries(AGENT_STATES.map((s, i) => [s, i]));
const CLASSES = ['chat', 'voice', 'email', 'video'] as const;
/** Time in a state that deserves a look (a long break, a long wrap-up). */
const LONG_MS: Partial<Record<string, number>> = { break: 15 * 60_000, wrap_up: 5 * 60_000 };

export function StateLabel({ stat }: { stat: Pick<AgentStat, 'state' | 'reason'> }) {
  const { t } = useTranslation('supervisor');
  return (
    <span className="sb-state">
      <i className="sb-dot" style={{ background: STATE_COLOR[stat.state] }} />
      {t(`state.${stat.state}`)}
      {stat.reason && stat.state === 'break' && <span style={{ color: '#8a9099' }}>· {stat.reason}</span>}
    </span>
  );
}

/** Slots in use per channel class: chat always, the others when busy. */
export function loadSummary(a: AgentStat, t: (k: string) => string): string {
  return CLASSES.filter((c) => (a.capacity[c] ?? 0) > 0 && (c === 'chat' || (a.load[c] ?? 0) > 0))
    .map((c) => `${t(`class.${c}`)} ${a.load[c] ?? 0}/${a.capacity[c]}`)
    .join(' · ');
}

export function AgentBoard({
  agents,
  users,
  skew,
  onOpen,
}: {
  agents: Map<string, AgentStat>;
  users: Map<string, User>;
  skew: number;
  onOpen(agentId: string): void;
}) {
  const { t } = useTranslation('supervisor');
  const now = useNow();
  const [showOffline, setShowOffline] = useState(false);
  const rows = useMemo(() => {
    const list = [...agents.values()].filter((a) => onBoard(users.get(a.agentId), a));
    return list.sort(
      (a, b) =>
        (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) ||
        nameOf(users, a.agentId).localeCompare(nameOf(users, b.agentId)),
    );
  }, [agents, users]);
  const shown = showOffline ? rows : rows.filter((a) => a.state !== 'offline');
  const offline = rows.length - rows.filter((a) => a.state !== 'offline').length;

  return (
    <section className="sb-panel" aria-labelledby="sb-agents-title">
      <div className="sb-panel-head">
        <span className="sb-panel-title" id="sb-agents-title">
          {t('agents.title')}
        </span>
        <span className="sb-qcard-sub">{t('agents.count', { shown: shown.length, total: rows.length })}</span>
        <div style={{ flex: 1 }} />
        <span
          style={{ display: 'inline-flex', gap: 6, alignItems: 'center', fontSize: 12, color: '#646a73' }}
        >
          <Switch
            size="small"
            checked={showOffline}
            onChange={setShowOffline}
            aria-label={t('agents.showOffline')}
          />
          {t('agents.showOfflineCount', { n: offline })}
        </span>
      </div>
      <div className="sb-panel-body">
        {shown.length === 0 ? (
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={t('agents.none')}
            style={{ marginTop: 32 }}
          />
        ) : (
          <table className="sb-agents" data-testid="agent-table">
            <thead>
              <tr>
                <th>{t('agents.name')}</th>
                <th>{t('agents.state')}</th>
                <th>{t('agents.timeInState')}</th>
                <th>{t('agents.load')}</th>
                <th>{t('agents.handled')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => {
                const elapsed = a.sinceMs > 0 ? now + skew - a.sinceMs : -1;
                const long = elapsed > (LONG_MS[a.state] ?? Number.POSITIVE_INFINITY);
                const u = users.get(a.agentId);
                return (
                  <tr
                    key={a.agentId}
                    className="sb-row"
                    tabIndex={0}
                    aria-label={t('agents.open', { name: nameOf(users, a.agentId) })}
                    data-testid={`agent-row-${a.agentId}`}
                    data-state={a.state}
                    onClick={() => onOpen(a.agentId)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') onOpen(a.agentId);
                    }}
                  >
                    <td>
                      <span className="sb-agent-name" title={u?.email}>
                        {nameOf(users, a.agentId)}
                      </span>
                      {u && u.role !== 'agent' && (
                        <Tag variant="filled" style={{ marginInlineStart: 6, fontSize: 11 }}>
                          {t(`common:roles.${u.role}`)}
                        </Tag>
                      )}
                    </td>
                    <td data-testid={`agent-${a.agentId}-state`}>
                      <StateLabel stat={a} />
                    </td>
                    <td
                      className={`num ${long ? 'sb-time-long' : ''}`}
                      data-testid={`agent-${a.agentId}-time`}
                    >
                      {elapsed >= 0 ? formatDuration(elapsed) : '—'}
                    </td>
                    <td className="num">{loadSummary(a, t) || '—'}</td>
                    <td className="num">{a.tasksHandled}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
