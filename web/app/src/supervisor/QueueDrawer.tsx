// One queue up close: the tasks waiting in it, the agents who can take them, and its open
// conversations — each one a click from listening in, reassigning or taking over.
import { Badge, Drawer, Empty, Table, Tabs, Tag } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get } from '../shared/api';
import { ChannelIcon } from '../shared/ChannelIcon';
import { useLiveEvents } from '../shared/live';
import { StateLabel } from './AgentBoard';
import { ConversationActions, CustomerName } from './conversations';
import {
  type AgentStat,
  ago,
  type Conversation,
  eligible,
  formatDuration,
  getAll,
  nameOf,
  onBoard,
  type Queue,
  type Task,
  type User,
} from './model';
import { useNow } from './useWallboard';

export function QueueDrawer({
  queue,
  users,
  agentStats,
  skills,
  skew,
  onClose,
  getContainer,
  onOpenAgent,
  onListen,
  onReassign,
}: {
  queue: Queue | null;
  users: Map<string, User>;
  agentStats: Map<string, AgentStat>;
  skills: Map<string, Map<string, number>>;
  skew: number;
  onClose(): void;
  getContainer?: (() => HTMLElement) | undefined;
  onOpenAgent(id: string): void;
  onListen(c: Conversation): void;
  onReassign(c: Conversation): void;
}) {
  const { t, i18n } = useTranslation('supervisor');
  const now = useNow();
  const [tasks, setTasks] = useState<Task[]>([]);
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [loading, setLoading] = useState(false);
  const id = queue?.id;

  const load = useCallback(() => {
    if (!id) return;
    setLoading(true);
    Promise.all([
      get<{ items: Task[] }>(`/api/v1/routing/tasks?queueId=${id}`).then((r) => r.items),
      getAll<Conversation>(`/api/v1/conversations?queueId=${id}&status=open`),
    ])
      .then(([tk, cv]) => {
        setTasks(tk);
        setConversations(cv);
      })
      .catch(() => undefined)
      .finally(() => setLoading(false));
  }, [id]);
  useEffect(() => load(), [load]);

  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLiveEvents(['routing.task.*', 'routing.reservation.*', 'conversation.*'], () => {
    if (!id) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(load, 400);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const queueAgents = queue
    ? [...agentStats.values()].filter((a) => {
        if (!onBoard(users.get(a.agentId), a)) return false;
        return a.queueIds ? a.queueIds.includes(queue.id) : eligible(queue, skills.get(a.agentId));
      })
    : [];

  return (
    <Drawer
      open={!!queue}
      onClose={onClose}
      size={760}
      title={queue?.name}
      destroyOnHidden
      {...(getContainer && { getContainer })}
      styles={{ body: { paddingTop: 0 } }}
    >
      {queue && (
        <Tabs
          items={[
            {
              key: 'waiting',
              label: (
                <span>
                  {t('drill.waitingTasks')} <Badge count={tasks.length} showZero color="#1664ff" />
                </span>
              ),
              children: (
                <Table<Task>
                  size="small"
                  rowKey="id"
                  loading={loading}
                  dataSource={tasks}
                  pagination={false}
                  locale={{
                    emptyText: (
                      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('drill.noWaiting')} />
                    ),
                  }}
                  columns={[
                    {
                      title: t('drill.channel'),
                      width: 70,
                      render: (_, r) => <ChannelIcon type={String(r.attributes.channel ?? '')} />,
                    },
                    {
                      title: t('drill.customer'),
                      render: (_, r) =>
                        typeof r.attributes.customerId === 'string' ? (
                          <CustomerName id={r.attributes.customerId} />
                        ) : (
                          '—'
                        ),
                    },
                    {
                      title: t('drill.waited'),
                      width: 90,
                      render: (_, r) => formatDuration(now + skew - r.waitingSince),
                    },
                    {
                      title: t('drill.attributes'),
                      render: (_, r) => (
                        <>
                          {['language', 'category', 'tier']
                            .filter((k) => r.attributes[k] !== undefined && r.attributes[k] !== 0)
                            .map((k) => (
                              <Tag key={k} variant="filled">
                                {t(`drill.attr.${k}`)}: {String(r.attributes[k])}
                              </Tag>
                            ))}
                        </>
                      ),
                    },
                    { title: t('drill.priority'), dataIndex: 'priority', width: 70 },
                    {
                      title: t('drill.status'),
                      width: 120,
                      render: (_, r) =>
                        r.reservations.length ? (
                          <Tag color="processing">
                            {t('drill.offeredTo', { name: nameOf(users, r.reservations[0]?.agentId) })}
                          </Tag>
                        ) : (
                          <Tag>{t('drill.queued')}</Tag>
                        ),
                    },
                  ]}
                />
              ),
            },
            {
              key: 'agents',
              label: (
                <span>
                  {t('drill.agents')}{' '}
                  <Badge
                    count={queueAgents.filter((a) => a.state !== 'offline').length}
                    showZero
                    color="#2ea44f"
                  />
                </span>
              ),
              children: (
                <Table<AgentStat>
                  size="small"
                  rowKey="agentId"
                  dataSource={queueAgents}
                  pagination={false}
                  onRow={(r) => ({ onClick: () => onOpenAgent(r.agentId), style: { cursor: 'pointer' } })}
                  locale={{
                    emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('agents.none')} />,
                  }}
                  columns={[
                    { title: t('agents.name'), render: (_, r) => nameOf(users, r.agentId) },
                    { title: t('agents.state'), render: (_, r) => <StateLabel stat={r} /> },
                    {
                      title: t('agents.timeInState'),
                      render: (_, r) => (r.sinceMs > 0 ? formatDuration(now + skew - r.sinceMs) : '—'),
                    },
                    { title: t('agents.handled'), dataIndex: 'tasksHandled' },
                  ]}
                />
              ),
            },
            {
              key: 'conversations',
              label: (
                <span>
                  {t('drill.conversations')} <Badge count={conversations.length} showZero color="#8a9099" />
                </span>
              ),
              children: (
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
                      title: t('drill.assignee'),
                      render: (_, r) =>
                        r.assigneeId ? nameOf(users, r.assigneeId) : <Tag>{t('drill.unassigned')}</Tag>,
                    },
                    {
                      title: t('drill.lastMessage'),
                      width: 90,
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
              ),
            },
          ]}
        />
      )}
    </Drawer>
  );
}
