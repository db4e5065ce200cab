// One conversation: who and where, its status and tags, the messages and notes, the composer, and
// the transfer and wrap-up dialogs. Kept current from live events; marked read while it is shown.
import {
  CheckSquareOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  SwapOutlined,
  TagsOutlined,
} from '@ant-design/icons';
import { App, Button, Select, Space, Tooltip, Typography } from 'antd';
import { type Ref, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, patch } from '../shared/api';
import { atLeast, type Me } from '../shared/auth';
import { ChannelIcon, useChannelName } from '../shared/ChannelIcon';
import { useLiveEvents } from '../shared/live';
import { Composer, type ComposerHandle, type ComposerMode } from './Composer';
import { type Inbox, useCustomers, useFail, useRefresh } from './hooks';
import { type Entry, MessageList } from './MessageList';
import {
  allPages,
  type Conversation,
  type ConversationStatus,
  customerName,
  customers,
  type Message,
  markRead,
  type Note,
  orMissing,
  shortTag,
  type User,
} from './model';
import { TransferModal } from './TransferModal';
import { WrapUpModal } from './WrapUpModal';

const STATUSES: ConversationStatus[] = ['open', 'pending', 'resolved'];
const STATUS_COLOR: Record<string, string> = {
  open: '#1664ff',
  pending: '#d48806',
  resolved: '#389e0d',
  closed: '#8c8c8c',
};

export function ConversationView({
  conversationId,
  me,
  inbox,
  composerRef,
  mode,
  onMode,
  panelOpen,
  onTogglePanel,
  wrapOpen,
  setWrapOpen,
  transferOpen,
  setTransferOpen,
  focusToken,
  onLeave,
}: {
  conversationId: string;
  me: Me;
  inbox: Inbox;
  composerRef: Ref<ComposerHandle>;
  mode: ComposerMode;
  onMode(m: ComposerMode): void;
  panelOpen: boolean;
  onTogglePanel(): void;
  wrapOpen: boolean;
  setWrapOpen(o: boolean): void;
  transferOpen: boolean;
  setTransferOpen(o: boolean): void;
  /** Changes when the composer should take focus once the conversation has loaded. */
  focusToken: number;
  /** The conversation left this agent (wrapped up and resolved, or transferred). */
  onLeave(reason: 'resolved' | 'transferred'): void;
}) {
  const { t } = useTranslation('agent');
  const channelName = useChannelName();
  const fail = useFail();
  const { message } = App.useApp();
  useCustomers();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [notes, setNotes] = useState<Note[]>([]);
  const [users, setUsers] = useState<User[] | null>(null);
  const [loading, setLoading] = useState(true);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const localComposer = useRef<ComposerHandle | null>(null);

  const load = useCallback(async () => {
    try {
      const [c, ms, ns] = await Promise.all([
        get<Conversation>(`/api/v1/conversations/${conversationId}`),
        allPages<Message>(`/api/v1/conversations/${conversationId}/messages`),
        orMissing(allPages<Note>(`/api/v1/conversations/${conversationId}/notes`), [] as Note[]),
      ]);
      setConversation(c);
      setMessages(ms);
      setNotes(ns);
      void customers.load(c.customerId);
    } catch (e) {
      fail(e);
    } finally {
      setLoading(false);
    }
  }, [conversationId, fail]);

  useEffect(() => {
    setLoading(true);
    setConversation(null);
    setMessages([]);
    setNotes([]);
    void load();
  }, [load]);
  useRefresh(() => void load());

  useEffect(() => {
    if (!atLeast(me.role, 'supervisor')) return;
    get<{ items: User[] }>('/api/v1/users?limit=200')
      .then((r) => setUsers(r.items))
      .catch(() => setUsers(null));
  }, [me.role]);

  // Read while shown: on open, and whenever something new arrives while the tab is visible.
  const { clearUnread } = inbox;
  const read = useCallback(() => {
    if (document.visibilityState !== 'visible') return;
    markRead(conversationId);
    clearUnread(conversationId);
  }, [conversationId, clearUnread]);
  useEffect(() => {
    if (!loading) read();
  }, [loading, read]);
  useEffect(() => {
    document.addEventListener('visibilitychange', read);
    return () => document.removeEventListener('visibilitychange', read);
  }, [read]);

  // Focus the composer when asked (after accepting an offer, or opening from the keyboard).
  useEffect(() => {
    if (!loading && focusToken) localComposer.current?.focus();
  }, [loading, focusToken]);

  const refetchSoon = useCallback(() => {
    clearTimeout(refetchTimer.current);
    refetchTimer.current = setTimeout(() => {
      void allPages<Message>(`/api/v1/conversations/${conversationId}/messages`)
        .then(setMessages)
        .catch(() => undefined);
    }, 300);
  }, [conversationId]);
  useEffect(() => () => clearTimeout(refetchTimer.current), []);

  useLiveEvents(['message.*'], (e) => {
    const p = e.payload;
    if (p.conversationId !== conversationId) return;
    if (e.type === 'message.received' || e.type === 'message.created') {
      const inbound = e.type === 'message.received';
      setMessages((ms) =>
        ms.some((m) => m.id === p.id)
          ? ms
          : [
              ...ms,
              {
                id: p.id,
                conversationId,
                direction: inbound ? 'in' : 'out',
                senderType: inbound ? 'customer' : 'agent',
                senderId: p.senderId ?? null,
                channelType: p.channelType,
                contentType: p.contentType ?? 'text',
                text: p.text ?? '',
                payload: {},
                deliveryStatus: inbound ? 'received' : 'queued',
                deliveryError: null,
                createdAt: e.occurredAt,
              },
            ],
      );
      // The event carries the gist; the stored message (files, sender, status) follows.
      refetchSoon();
      if (inbound) read();
    } else if (e.type === 'message.sent' || e.type === 'message.failed' || e.type === 'message.status') {
      const status = e.type === 'message.sent' ? 'sent' : e.type === 'message.failed' ? 'failed' : p.status;
      setMessages((ms) =>
        ms.map((m) =>
          m.id === p.id ? { ...m, deliveryStatus: status, deliveryError: p.error ?? m.deliveryError } : m,
        ),
      );
    }
  });

  useLiveEvents(['note.created', 'conversation.note.created'], (e) => {
    const p = e.payload as Partial<Note> & { note?: Note };
    const n = p.note ?? (p as Note);
    if ((n.conversationId ?? e.aggregateId) !== conversationId) return;
    if (n.id && n.text !== undefined && n.createdAt)
      setNotes((ns) => (ns.some((x) => x.id === n.id) ? ns : [...ns, n]));
    else void orMissing(allPages<Note>(`/api/v1/conversations/${conversationId}/notes`), []).then(setNotes);
  });

  useLiveEvents(['conversation.updated', 'conversation.wrapped_up'], (e) => {
    const p = e.payload as Partial<Conversation> & { id?: string; conversationId?: string };
    if ((p.id ?? p.conversationId ?? e.aggregateId) !== conversationId) return;
    setConversation((c) =>
      c
        ? {
            ...c,
            ...(p.status && { status: p.status }),
            ...(p.tags && { tags: p.tags }),
            ...(p.assigneeId !== undefined && { assigneeId: p.assigneeId }),
          }
        : c,
    );
  });

  const entries = useMemo<Entry[]>(() => {
    const all: Entry[] = [
      ...messages.map((m) => ({ kind: 'message' as const, at: m.createdAt, m })),
      ...notes.map((n) => ({ kind: 'note' as const, at: n.createdAt, n })),
    ];
    return all.sort((a, b) => a.at.localeCompare(b.at));
  }, [messages, notes]);

  const mentionUsers = useMemo(() => {
    if (users)
      return users
        .filter((u) => u.status !== 'disabled')
        .map((u) => ({ id: u.id, name: u.displayName || u.email }));
    // Agents cannot list users: offer the people already in this conversation's notes.
    const seen = new Map<string, string>();
    for (const n of notes) if (n.authorId !== me.id) seen.set(n.authorId, n.authorName);
    return [...seen].map(([id, name]) => ({ id, name }));
  }, [users, notes, me.id]);

  const agentName = useCallback(
    (id: string | null) => {
      if (id === me.id) return me.displayName || t('conversation.you');
      const u = users?.find((x) => x.id === id);
      return u?.displayName ?? t('conversation.agent');
    },
    [me, users, t],
  );

  const change = async (body: Partial<Conversation>) => {
    try {
      const c = await patch<Conversation>(`/api/v1/conversations/${conversationId}`, body);
      setConversation(c);
      inbox.update(c);
    } catch (e) {
      fail(e);
    }
  };

  if (!conversation)
    return (
      <div style={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
        <Typography.Text type="secondary">{t('common:loading')}</Typography.Text>
      </div>
    );

  const customer = customers.get(conversation.customerId);
  const name = customerName(customer, t('customer.visitor', { tag: shortTag(conversation.customerId) }));
  const typing = inbox.typing(conversationId);
  const mine = conversation.assigneeId === me.id;
  const working = conversation.status === 'open' || conversation.status === 'pending';

  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%', minWidth: 0 }}>
      <header style={{ padding: '8px 14px 6px', borderBottom: '1px solid #f0f0f0', background: '#fff' }}>
        <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
          <ChannelIcon type={conversation.channelType} size={18} />
          <div style={{ minWidth: 0, flex: 1 }}>
            <Typography.Title level={5} style={{ margin: 0, lineHeight: '22px' }} ellipsis>
              {name}
            </Typography.Title>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
              {channelName(conversation.channelType)}
              {conversation.subject ? ` · ${conversation.subject}` : ''}
              {!mine && conversation.assigneeId ? ` · ${t('conversation.notYours')}` : ''}
            </Typography.Text>
          </div>
          <Space size={6}>
            <Select
              aria-label={t('conversation.status')}
              data-testid="conversation-status"
              size="small"
              value={conversation.status}
              onChange={(v: ConversationStatus) => void change({ status: v })}
              style={{ width: 112 }}
              options={STATUSES.map((s) => ({
                value: s,
                label: (
                  <span>
                    <span
                      aria-hidden
                      style={{
                        display: 'inline-block',
                        width: 8,
                        height: 8,
                        borderRadius: 4,
                        marginRight: 6,
                        background: STATUS_COLOR[s],
                      }}
                    />
                    {t(`status.${s}`)}
                  </span>
                ),
              }))}
            />
            <Tooltip title={`${t('transfer.title')} (Alt+T)`}>
              <Button
                size="small"
                icon={<SwapOutlined aria-hidden />}
                onClick={() => setTransferOpen(true)}
                aria-keyshortcuts="Alt+T"
              >
                {t('transfer.button')}
              </Button>
            </Tooltip>
            <Tooltip title={`${t('wrapUp.title')} (Alt+W)`}>
              <Button
                size="small"
                type={working ? 'primary' : 'default'}
                ghost={working}
                icon={<CheckSquareOutlined aria-hidden />}
                onClick={() => setWrapOpen(true)}
                aria-keyshortcuts="Alt+W"
              >
                {t('wrapUp.button')}
              </Button>
            </Tooltip>
            <Tooltip title={panelOpen ? t('panel.hide') : t('panel.show')}>
              <Button
                size="small"
                type="text"
                aria-label={panelOpen ? t('panel.hide') : t('panel.show')}
                aria-pressed={panelOpen}
                aria-keyshortcuts="Alt+P"
                icon={panelOpen ? <MenuUnfoldOutlined aria-hidden /> : <MenuFoldOutlined aria-hidden />}
                onClick={onTogglePanel}
              />
            </Tooltip>
          </Space>
        </div>
        <div style={{ display: 'flex', alignItems: 'center', gap: 6, marginTop: 4 }}>
          <TagsOutlined aria-hidden style={{ color: '#8c8c8c' }} />
          <Select
            mode="tags"
            size="small"
            variant="borderless"
            aria-label={t('conversation.tags')}
            placeholder={t('conversation.addTags')}
            value={conversation.tags}
            onChange={(v: string[]) => void change({ tags: v.map((x) => x.trim()).filter(Boolean) })}
            style={{ flex: 1, minWidth: 0 }}
            tokenSeparators={[',', '，']}
            open={false}
            suffixIcon={null}
          />
        </div>
      </header>
      <MessageList
        entries={entries}
        customerName={name}
        agentName={agentName}
        mentionNames={[...mentionUsers.map((u) => u.name), me.displayName]}
        typing={typing}
        loading={loading}
      />
      <Composer
        ref={(h) => {
          localComposer.current = h;
          if (typeof composerRef === 'function') composerRef(h);
          else if (composerRef) (composerRef as { current: ComposerHandle | null }).current = h;
        }}
        conversation={conversation}
        customer={customer}
        me={me}
        mentionUsers={mentionUsers}
        mode={mode}
        onMode={onMode}
        onSent={(m) => {
          setMessages((ms) => (ms.some((x) => x.id === m.id) ? ms : [...ms, m]));
          inbox.update({ id: conversationId, lastMessageAt: m.createdAt });
        }}
        onNote={(n) => setNotes((ns) => (ns.some((x) => x.id === n.id) ? ns : [...ns, n]))}
      />
      <WrapUpModal
        conversation={conversation}
        open={wrapOpen}
        onClose={() => setWrapOpen(false)}
        onDone={(resolved) => {
          setWrapOpen(false);
          void message.success(t('wrapUp.done'));
          if (resolved) {
            const next = { ...conversation, status: 'resolved' as const };
            setConversation(next);
            inbox.update(next);
            onLeave('resolved');
          }
        }}
      />
      <TransferModal
        conversation={conversation}
        me={me}
        open={transferOpen}
        onClose={() => setTransferOpen(false)}
        onDone={() => {
          setTransferOpen(false);
          void message.success(t('transfer.done'));
          onLeave('transferred');
        }}
      />
    </div>
  );
}
