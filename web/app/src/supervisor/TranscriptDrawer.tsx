// Listening in: a read-only view of one conversation that follows its messages as they happen
// (message.* events for this conversation), with take-over and reassign at hand.
import { EyeOutlined } from '@ant-design/icons';
import { Alert, Drawer, Empty, Space, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get } from '../shared/api';
import { ChannelIcon } from '../shared/ChannelIcon';
import { type LiveEvent, useLiveEvents } from '../shared/live';
import { ConversationActions, useCustomerName } from './conversations';
import { type Conversation, getAll, type Message, nameOf, type User } from './model';

export function TranscriptDrawer({
  conversation,
  users,
  onClose,
  getContainer,
  onReassign,
}: {
  conversation: Conversation | null;
  users: Map<string, User>;
  onClose(): void;
  getContainer?: (() => HTMLElement) | undefined;
  onReassign(c: Conversation): void;
}) {
  const { t } = useTranslation('supervisor');
  const [current, setCurrent] = useState<Conversation | null>(conversation);
  const [messages, setMessages] = useState<Message[]>([]);
  const [loading, setLoading] = useState(false);
  const [typing, setTyping] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);
  const id = conversation?.id;
  const customer = useCustomerName(current?.customerId);

  useEffect(() => setCurrent(conversation), [conversation]);

  const load = useCallback(() => {
    if (!id) return;
    Promise.all([
      getAll<Message>(`/api/v1/conversations/${id}/messages`),
      get<Conversation>(`/api/v1/conversations/${id}`),
    ])
      .then(([m, c]) => {
        setMessages(m);
        setCurrent(c);
      })
      .catch(() => undefined)
      .finally(() => setLoading(false));
  }, [id]);

  useEffect(() => {
    if (!id) return;
    setLoading(true);
    setMessages([]);
    load();
  }, [id, load]);

  // This conversation's events only (the shared socket carries the whole tenant's).
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const typingTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLiveEvents(['message.*', 'conversation.updated', 'customer.typing'], (e: LiveEvent) => {
    if (!id) return;
    const p = (e.payload ?? {}) as { conversationId?: string; id?: string; typing?: boolean };
    const about = p.conversationId ?? (e.aggregateType === 'conversation' ? e.aggregateId : undefined);
    if (about !== id && p.id !== id) return;
    if (e.type === 'customer.typing') {
      setTyping(p.typing !== false);
      clearTimeout(typingTimer.current);
      typingTimer.current = setTimeout(() => setTyping(false), 6000);
      return;
    }
    if (e.type === 'message.received') setTyping(false);
    clearTimeout(timer.current);
    timer.current = setTimeout(load, 150);
  });
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      clearTimeout(typingTimer.current);
    },
    [],
  );

  useEffect(() => {
    if (messages.length) bottom.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);

  const who = (m: Message) =>
    m.senderType === 'customer'
      ? customer || t('conversation.customer')
      : m.senderType === 'agent'
        ? nameOf(users, m.senderId)
        : t(`conversation.sender.${m.senderType}`);

  return (
    <Drawer
      open={!!conversation}
      onClose={onClose}
      size={560}
      destroyOnHidden
      {...(getContainer && { getContainer })}
      title={
        current && (
          <Space size={8}>
            <ChannelIcon type={current.channelType} />
            <span>{customer || t('conversation.anonymous')}</span>
            <Tag icon={<EyeOutlined />} color="blue" variant="filled">
              {t('conversation.listening')}
            </Tag>
          </Space>
        )
      }
      extra={
        current && (
          <span data-testid="transcript-actions">
            <ConversationActions conversation={current} onReassign={onReassign} onChanged={load} />
          </span>
        )
      }
      styles={{ body: { display: 'flex', flexDirection: 'column', gap: 10, paddingTop: 10 } }}
    >
      {current && (
        <Alert
          type="info"
          showIcon
          title={t('conversation.readOnly', {
            assignee: current.assigneeId ? nameOf(users, current.assigneeId) : t('drill.unassigned'),
            status: t(`conversation.status.${current.status}`),
          })}
        />
      )}
      <div
        style={{ flex: 1, overflow: 'auto' }}
        role="log"
        aria-live="polite"
        aria-label={t('conversation.transcript')}
      >
        {loading ? (
          <Spin style={{ display: 'block', margin: '40px auto' }} />
        ) : messages.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('conversation.noMessages')} />
        ) : (
          <div className="sb-transcript" data-testid="transcript">
            {messages.map((m) => (
              <div
                key={m.id}
                className={`sb-bubble ${m.senderType === 'system' ? 'system' : m.direction}`}
                data-testid="transcript-message"
              >
                {m.text || (m.contentType !== 'text' ? `[${m.contentType}]` : '')}
                <div className="sb-bubble-meta">
                  {who(m)} · {new Date(m.createdAt).toLocaleTimeString()}
                </div>
              </div>
            ))}
            {typing && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('conversation.typing', { name: customer || t('conversation.customer') })}
              </Typography.Text>
            )}
            <div ref={bottom} />
          </div>
        )}
      </div>
    </Drawer>
  );
}
