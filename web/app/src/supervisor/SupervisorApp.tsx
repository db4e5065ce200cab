// The supervisor wallboard: every queue's live figures in big readable numbers with colour
// thresholds, every agent's state and time in it, the last hours per channel and per queue, and
// drill-downs to act (change an agent's state, reassign, take over, listen in). Live from
// `routing.stats` and the other live events; made to fit 1366×768 and to fill a wall TV.
import { FullscreenExitOutlined, FullscreenOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { Button, ConfigProvider, Empty, Popover, Spin, Tooltip } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AgentBoard } from './AgentBoard';
import { AgentDrawer } from './AgentDrawer';
import { Charts } from './Charts';
import { AssignModal } from './conversations';
import { AGENT_STATES, type AgentState, type Conversation, eligible, onBoard, STATE_COLOR } from './model';
import { QueueCard } from './QueueCard';
import { QueueDrawer } from './QueueDrawer';
import { TranscriptDrawer } from './TranscriptDrawer';
import { useNow, useWallboard } from './useWallboard';
import './wallboard.css';

const zero = (): Record<AgentState, number> => ({ available: 0, busy: 0, wrap_up: 0, break: 0, offline: 0 });

/** No focus, or focus left behind in a closed popup (a confirmed Popconfirm): Esc is then the page's. */
function strayFocus(): boolean {
  const el = document.activeElement as HTMLElement | null;
  return !el || el === document.body || !!el.closest('.ant-popover') || el.offsetParent === null;
}

function typingInField(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export default function SupervisorApp() {
  const { t } = useTranslation('supervisor');
  const wb = useWallboard();
  const now = useNow();
  const root = useRef<HTMLDivElement>(null);
  const [fullscreen, setFullscreen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [queueId, setQueueId] = useState<string | null>(null);
  const [agentId, setAgentId] = useState<string | null>(null);
  const [listening, setListening] = useState<Conversation | null>(null);
  const [reassigning, setReassigning] = useState<Conversation | null>(null);

  const toggleFullscreen = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void root.current?.requestFullscreen?.().catch(() => undefined);
  }, []);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === root.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Esc with the focus nowhere in particular (after a click outside a panel, or in a popup just
      // closed) closes the top panel; inside a panel, the panel's own Esc handling does it.
      if (e.key === 'Escape' && strayFocus()) {
        if (reassigning) return;
        if (listening) setListening(null);
        else if (agentId) setAgentId(null);
        else if (queueId) setQueueId(null);
        return;
      }
      if (typingInField(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === '?') {
        e.preventDefault();
        setHelpOpen((o) => !o);
      } else if (e.key === 'f' || e.key === 'F') {
        toggleFullscreen();
      } else if (/^[1-9]$/.test(e.key) && !queueId && !agentId && !listening) {
        const q = wb.queues[Number(e.key) - 1];
        if (q) setQueueId(q.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleFullscreen, wb.queues, queueId, agentId, listening, reassigning]);

  // Agents of each queue by state: from the queues each agent can serve (the server's eligibility),
  // counting agents and anyone else signed in to take work; else the server's own counts; else skills.
  const byQueue = useMemo(() => {
    const out = new Map<string, Record<AgentState, number>>();
    for (const q of wb.queues) out.set(q.id, zero());
    const agents = [...wb.agentStats.values()];
    if (agents.length && agents.every((a) => a.queueIds)) {
      for (const a of agents) {
        if (!onBoard(wb.users.get(a.agentId), a)) continue;
        for (const id of a.queueIds ?? []) {
          const c = out.get(id);
          if (c) c[a.state]++;
        }
      }
      return out;
    }
    for (const q of wb.queues) {
      const counts = out.get(q.id) ?? zero();
      const fromServer = wb.queueStats.get(q.id)?.agents;
      if (fromServer) {
        for (const s of AGENT_STATES) counts[s] = fromServer[s] ?? 0;
        continue;
      }
      for (const a of agents)
        if (onBoard(wb.users.get(a.agentId), a) && eligible(q, wb.skills.get(a.agentId))) counts[a.state]++;
    }
    return out;
  }, [wb.queues, wb.queueStats, wb.agentStats, wb.users, wb.skills]);

  const totals = useMemo(() => {
    const states = zero();
    for (const a of wb.agentStats.values()) if (onBoard(wb.users.get(a.agentId), a)) states[a.state]++;
    let waiting = 0;
    for (const s of wb.queueStats.values()) waiting += s.waiting;
    return { states, waiting };
  }, [wb.agentStats, wb.queueStats, wb.users]);

  const container = fullscreen && root.current ? () => root.current as HTMLElement : undefined;
  const queue = wb.queues.find((q) => q.id === queueId) ?? null;
  const clock = new Date(now).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

  const help = (
    <div style={{ minWidth: 240 }}>
      {(['help', 'fullscreen', 'queue', 'escape'] as const).map((k) => (
        <div key={k} style={{ display: 'flex', justifyContent: 'space-between', gap: 16, padding: '3px 0' }}>
          <span>{t(`shortcuts.${k}`)}</span>
          <kbd style={{ fontFamily: 'monospace', background: '#f2f3f5', padding: '0 6px', borderRadius: 4 }}>
            {t(`shortcuts.${k}Key`)}
          </kbd>
        </div>
      ))}
    </div>
  );

  return (
    <ConfigProvider getPopupContainer={container}>
      <div className="sb-wall" ref={root} style={{ position: 'relative' }} data-testid="wallboard">
        <div className="sb-wall-toolbar">
          <h1 className="sb-wall-title">{t('title')}</h1>
          <div className="sb-wall-total" data-testid="total-waiting">
            <b>{totals.waiting}</b>
            <span>{t('totals.waiting')}</span>
          </div>
          {AGENT_STATES.map((s) => (
            <div key={s} className="sb-wall-total" data-testid={`total-${s}`}>
              <i className="sb-dot" style={{ background: STATE_COLOR[s], alignSelf: 'center' }} />
              <b>{totals.states[s]}</b>
              <span>{t(`state.${s}`)}</span>
            </div>
          ))}
          <div style={{ flex: 1 }} />
          <span
            style={{ fontVariantNumeric: 'tabular-nums', color: '#646a73', fontSize: 15 }}
            aria-hidden="true"
          >
            {clock}
          </span>
          <Popover
            open={helpOpen}
            onOpenChange={setHelpOpen}
            trigger="click"
            title={t('shortcuts.title')}
            content={help}
            placement="bottomRight"
          >
            <Tooltip title={t('shortcuts.title')}>
              <Button icon={<QuestionCircleOutlined />} aria-label={t('shortcuts.title')} />
            </Tooltip>
          </Popover>
          <Tooltip title={fullscreen ? t('exitFullscreen') : t('fullscreen')}>
            <Button
              icon={fullscreen ? <FullscreenExitOutlined /> : <FullscreenOutlined />}
              aria-label={fullscreen ? t('exitFullscreen') : t('fullscreen')}
              aria-pressed={fullscreen}
              onClick={toggleFullscreen}
              data-testid="fullscreen"
            />
          </Tooltip>
        </div>

        {wb.loading ? (
          <Spin style={{ margin: '80px auto', display: 'block' }} />
        ) : wb.queues.length === 0 ? (
          <Empty description={t('noQueues')} style={{ marginTop: 24 }} />
        ) : (
          <section className="sb-queues" aria-label={t('queuesRegion')}>
            {wb.queues.map((q) => {
              const stat = wb.queueStats.get(q.id);
              const grown =
                stat && stat.waiting > 0 ? stat.longestWaitMs + Math.max(0, now - wb.receivedAt) : 0;
              return (
                <QueueCard
                  key={q.id}
                  queue={q}
                  stat={stat}
                  agents={byQueue.get(q.id) ?? zero()}
                  longestWaitMs={grown}
                  onOpen={() => setQueueId(q.id)}
                />
              );
            })}
          </section>
        )}

        <div className="sb-lower">
          <AgentBoard agents={wb.agentStats} users={wb.users} skew={wb.skew} onOpen={setAgentId} />
          <Charts queues={wb.queues} />
        </div>

        <QueueDrawer
          queue={queue}
          users={wb.users}
          agentStats={wb.agentStats}
          skills={wb.skills}
          skew={wb.skew}
          onClose={() => setQueueId(null)}
          onOpenAgent={setAgentId}
          onListen={setListening}
          onReassign={setReassigning}
          getContainer={container}
        />
        <AgentDrawer
          agentId={agentId}
          users={wb.users}
          agentStats={wb.agentStats}
          history={wb.history}
          skew={wb.skew}
          onClose={() => setAgentId(null)}
          onListen={setListening}
          onReassign={setReassigning}
          getContainer={container}
        />
        <TranscriptDrawer
          conversation={listening}
          users={wb.users}
          onClose={() => setListening(null)}
          onReassign={setReassigning}
          getContainer={container}
        />
        <AssignModal
          conversation={reassigning}
          users={wb.users}
          agentStats={wb.agentStats}
          onClose={() => setReassigning(null)}
          getContainer={container}
        />
      </div>
    </ConfigProvider>
  );
}
