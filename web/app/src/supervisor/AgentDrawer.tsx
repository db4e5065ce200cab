// One agent up close: state (which a supervisor can change), load per channel, the conversations
// they hold, and the state changes seen since the wallboard opened.
import {
  App,
  Button,
  Descriptions,
  Drawer,
  Empty,
  Progress,
  Select,
  Space,
  Table,
  Timeline,
  Typography,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, put } from '../shared/api';
import { ChannelIcon } from '../shared/ChannelIcon';
import { useLiveEvents } from '../shared/live';
import { StateLabel } from './AgentBoard';
import { ConversationActions, CustomerName, errorText } from './conversations';
import {
  type AgentStat,
  ago,
  type Conversation,
  formatDuration,
  getAll,
  STATE_COLOR,
  type User,
} from './model';
import { type StateChange, useNow } from './useWallboard';

const CLASSES = ['chat', 'voice', 'email', 'video'] as const;
type Presence = 'available' | 'break' | 'offline';

export function AgentDrawer({
  agentId,
  users,
  agentStats,
  history,
  skew,
  onClose,
  getContainer,
  onListen,
  onReassign,
}: {
  agentId: string | null;
  users: Map<string, User>;
  agentStats: Map<string, AgentStat>;
  history: StateChange[];
  skew: number;
  onClose(): void;
  getContainer?: (() => HTMLElement) | undefined;
  onListen(c: Conversation): void;
  onReassign(c: Conversation): void;
}) {
  const { t, i18n } = useTranslation('supervisor');
  const { message } = App.useApp();
  const now = useNow();
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [loading, setLoading] = useState(false);
  const [reasons, setReasons] = useState<string[]>([]);
  const [reason, setReason] = useState<string>();
  const [busy, setBusy] = useState<Presence | null>(null);
  const user = agentId ? users.get(agentId) : undefined;
  const stat = agentId ? agentStats.get(agentId) : undefined;

  const load = useCallback(() => {
    if (!agentId) return;
    setLoading(true);
    getAll<Conversation>(`/api/v1/conversations?assigneeId=${agentId}&status=open`)
      .then(setConversations)
      .catch(() => undefined)
      .finally(() => setLoading(false));
  }, [agentId]);
  useEffect(() => load(), [load]);
  useEffect(() => {
    if (!agentId) return;
    get<{ items: string[] }>('/api/v1/routing/break-reasons')
      .then((r) => {
        setReasons(r.items);
        setReason((cur) => cur ?? r.items[0]);
      })
      .catch(() => undefined);
  }, [agentId]);

  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLiveEvents(['conversation.*', 'routing.task.*'], () => {
    if (!agentId) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(load, 400);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const setState = async (state: Presence) => {
    if (!agentId) return;
    setBusy(state);
    try {
      await put(`/api/v1/routing/agents/${agentId}/state`, {
        state,
        ...(state === 'break' && reason && { reason }),
      });
      void message.success(t('agent.stateChanged', { state: t(`state.${state}`) }));
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const mine = history.filter((h) => h.agentId === agentId);

  return (
    <Drawer
      open={!!agentId}
      onClose={onClose}
      size={720}
      destroyOnHidden
      {...(getContainer && { getContainer })}
      title={user ? user.displayName || user.email : ''}
      extra={stat && <StateLabel stat={stat} />}
    >
      {agentId && (
        <Space orientation="vertical" size={16} style={{ width: '100%' }}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('agents.state')}>
              {stat ? <StateLabel stat={stat} /> : '—'}
            </Descriptions.Item>
            <Descriptions.Item label={t('agents.timeInState')}>
              <span data-testid="agent-drawer-time">
                {stat && stat.sinceMs > 0 ? formatDuration(now + skew - stat.sinceMs) : '—'}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('agent.email')}>{user?.email}</Descriptions.Item>
            <Descriptions.Item label={t('agents.handled')}>{stat?.tasksHandled ?? 0}</Descriptions.Item>
          </Descriptions>

          <div>
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {t('agent.changeState')}
            </Typography.Title>
            <Space wrap>
              <Button
                onClick={() => setState('available')}
                loading={busy === 'available'}
                disabled={stat?.state === 'available'}
                icon={<i className="sb-dot" style={{ background: STATE_COLOR.available }} />}
                data-testid="set-available"
              >
                {t('state.available')}
              </Button>
              <Space.Compact>
                <Select
                  aria-label={t('agent.breakReason')}
                  style={{ width: 150 }}
                  value={reason}
                  onChange={setReason}
                  options={reasons.map((r) => ({ value: r, label: r }))}
                />
                <Button
                  onClick={() => setState('break')}
                  loading={busy === 'break'}
                  icon={<i className="sb-dot" style={{ background: STATE_COLOR.break }} />}
                  data-testid="set-break"
                >
                  {t('agent.sendOnBreak')}
                </Button>
              </Space.Compact>
              <Button
                onClick={() => setState('offline')}
                loading={busy === 'offline'}
                disabled={stat?.state === 'offline'}
                icon={<i className="sb-dot" style={{ background: STATE_COLOR.offline }} />}
                data-testid="set-offline"
              >
                {t('agent.signOut')}
              </Button>
            </Space>
          </div>

          {stat && (
            <div>
              <Typography.Title level={5} style={{ marginTop: 0 }}>
                {t('agents.load')}
              </Typography.Title>
              <Space size={24} wrap>
                {CLASSES.filter((c) => (stat.capacity[c] ?? 0) > 0).map((c) => (
                  <Space key={c} orientation="vertical" size={0} align="center">
                    <Progress
                      type="circle"
                      size={56}
                      percent={Math.round(((stat.load[c] ?? 0) / (stat.capacity[c] ?? 1)) * 100)}
                      format={() => `${stat.load[c] ?? 0}/${stat.capacity[c]}`}
                    />
                    <span style={{ fontSize: 12, color: '#646a73' }}>{t(`class.${c}`)}</span>
                  </Space>
                ))}
              </Space>
            </div>
          )}

          <div>
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {t('agent.conversations')}
            </Typography.Title>
            <Table<Conversation>
              size="small"
              rowKey="id"
              loading={loading}
              dataSource={conversations}
              pagination={false}
              locale={{
                emptyText: (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('drill.noConversations')} />
                ),
              }}
              columns={[
                {
                  title: t('drill.channel'),
                  width: 60,
                  render: (_, r) => <ChannelIcon type={r.channelType} />,
                },
                { title: t('drill.customer'), render: (_, r) => <CustomerName id={r.customerId} /> },
                {
                  title: t('drill.lastMessage'),
                  render: (_, r) =>
                    r.lastMessageAt
                      ? ago(now - Date.parse(r.lastMessageAt), i18n.resolvedLanguage ?? 'en')
                      : '—',
                },
                {
                  title: t('drill.actions'),
                  width: 110,
                  render: (_, r) => (
                    <ConversationActions
                      compact
                      conversation={r}
                      onListen={onListen}
                      onReassign={onReassign}
                      onChanged={load}
                    />
                  ),
                },
              ]}
            />
          </div>

          <div>
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {t('agent.history')}
            </Typography.Title>
            {mine.length === 0 ? (
              <Typography.Text type="secondary">{t('agent.noHistory')}</Typography.Text>
            ) : (
              <Timeline
                items={mine.slice(0, 30).map((h) => ({
                  color: STATE_COLOR[h.state],
                  content: (
                    <span>
                      {new Date(h.at).toLocaleTimeString()} — {t(`state.${h.state}`)}
                      {h.reason ? ` (${h.reason})` : ''}
                    </span>
                  ),
                }))}
              />
            )}
          </div>
        </Space>
      )}
    </Drawer>
  );
}
