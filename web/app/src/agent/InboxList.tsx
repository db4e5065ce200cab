// The unified inbox: every conversation the agent holds, from every channel, newest activity first,
// with unread counts and the customer's typing shown live.
import { Avatar, Badge, Empty, Segmented, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChannelIcon, channelColor, useChannelName } from '../shared/ChannelIcon';
import { type Inbox, useCustomers, useNow } from './hooks';
import { customerName, customers, shortTag } from './model';
import { formatShort } from './time';

export type InboxFilter = 'active' | 'resolved';

export function visibleItems(inbox: Inbox, filter: InboxFilter) {
  return inbox.items.filter((c) =>
    filter === 'active' ? c.status === 'open' || c.status === 'pending' : c.status === 'resolved',
  );
}

export function InboxList({
  inbox,
  activeId,
  onOpen,
  filter,
  onFilter,
}: {
  inbox: Inbox;
  activeId: string | undefined;
  onOpen(id: string): void;
  filter: InboxFilter;
  onFilter(f: InboxFilter): void;
}) {
  const { t, i18n } = useTranslation('agent');
  const channelName = useChannelName();
  useCustomers();
  const now = useNow(30_000);
  const [focusIndex, setFocusIndex] = useState(0);
  const items = visibleItems(inbox, filter);
  const activeCount = inbox.items.filter((c) => c.status === 'open' || c.status === 'pending').length;
  const unreadTotal = inbox.items.reduce((n, c) => n + (c.unread ?? 0), 0);

  return (
    <nav
      aria-label={t('inbox.region')}
      style={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '8px 12px 6px' }}>
        <Typography.Text strong style={{ flex: 1 }}>
          {t('inbox.title')}
          {unreadTotal > 0 && (
            <Badge count={unreadTotal} size="small" style={{ marginInlineStart: 6 }} aria-hidden />
          )}
        </Typography.Text>
        <Segmented
          size="small"
          aria-label={t('inbox.filter')}
          value={filter}
          onChange={(v) => onFilter(v as InboxFilter)}
          options={[
            { value: 'active', label: t('inbox.active', { count: activeCount }) },
            { value: 'resolved', label: t('inbox.resolved') },
          ]}
        />
      </div>
      <div style={{ overflowY: 'auto', flex: 1, minHeight: 0 }}>
        {inbox.loading ? (
          <div style={{ padding: 12 }}>
            <Skeleton active avatar paragraph={{ rows: 1 }} />
            <Skeleton active avatar paragraph={{ rows: 1 }} />
          </div>
        ) : items.length === 0 ? (
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={filter === 'active' ? t('inbox.emptyActive') : t('inbox.emptyResolved')}
            style={{ marginTop: 40 }}
          />
        ) : (
          <ul aria-label={t('inbox.list')} style={{ listStyle: 'none', margin: 0, padding: '0 6px 8px' }}>
            {items.map((c, i) => {
              const customer = customers.get(c.customerId);
              const name = customerName(customer, t('customer.visitor', { tag: shortTag(c.customerId) }));
              const active = c.id === activeId;
              const typing = inbox.typing(c.id);
              const unread = c.unread ?? 0;
              const channel = channelName(c.channelType);
              return (
                <li key={c.id}>
                  <button
                    type="button"
                    data-testid="inbox-item"
                    data-conversation={c.id}
                    aria-current={active ? 'true' : undefined}
                    aria-label={t('inbox.itemLabel', {
                      name,
                      channel,
                      unread: unread ? t('inbox.unread', { count: unread }) : '',
                    })}
                    tabIndex={i === Math.min(focusIndex, items.length - 1) ? 0 : -1}
                    onFocus={() => setFocusIndex(i)}
                    onKeyDown={(e) => {
                      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                        e.preventDefault();
                        const next = e.currentTarget
                          .closest('ul')
                          ?.querySelectorAll<HTMLButtonElement>('button[data-testid="inbox-item"]')[
                          Math.max(0, Math.min(items.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))
                        ];
                        next?.focus();
                      }
                    }}
                    onClick={() => onOpen(c.id)}
                    className="sb-inbox-item"
                    style={{
                      display: 'flex',
                      gap: 10,
                      width: '100%',
                      textAlign: 'left',
                      padding: '8px 8px',
                      margin: '2px 0',
                      border: 0,
                      borderRadius: 8,
                      cursor: 'pointer',
                      font: 'inherit',
                    }}
                  >
                    <span style={{ position: 'relative', flex: '0 0 auto', height: 34 }}>
                      <Avatar
                        size={34}
                        style={{ background: channelColor(c.channelType), fontSize: 14 }}
                        aria-hidden
                      >
                        {name.slice(0, 1).toUpperCase()}
                      </Avatar>
                      <span
                        style={{
                          position: 'absolute',
                          right: -3,
                          bottom: -3,
                          width: 17,
                          height: 17,
                          borderRadius: 9,
                          background: '#fff',
                          boxShadow: '0 0 0 1px #f0f0f0',
                          display: 'flex',
                          alignItems: 'center',
                          justifyContent: 'center',
                        }}
                      >
                        <ChannelIcon type={c.channelType} size={11} />
                      </span>
                    </span>
                    <span style={{ flex: 1, minWidth: 0 }}>
                      <span style={{ display: 'flex', alignItems: 'baseline', gap: 6 }}>
                        <Typography.Text
                          strong={unread > 0}
                          ellipsis
                          style={{ flex: 1, minWidth: 0, fontSize: 13 }}
                        >
                          {name}
                        </Typography.Text>
                        <Typography.Text type="secondary" style={{ fontSize: 11, whiteSpace: 'nowrap' }}>
                          {formatShort(c.lastMessageAt ?? c.updatedAt, now, i18n.language)}
                        </Typography.Text>
                      </span>
                      <span style={{ display: 'flex', alignItems: 'center', gap: 6, marginTop: 2 }}>
                        {typing ? (
                          <Typography.Text
                            style={{ flex: 1, fontSize: 12, color: '#389e0d', fontStyle: 'italic' }}
                            ellipsis
                          >
                            {t('typing.customer')}
                          </Typography.Text>
                        ) : (
                          <Typography.Text
                            type="secondary"
                            ellipsis
                            style={{ flex: 1, minWidth: 0, fontSize: 12 }}
                          >
                            {c.previewDirection === 'out' ? `${t('inbox.you')}: ` : ''}
                            {c.preview ?? c.subject ?? ''}
                          </Typography.Text>
                        )}
                        {c.status === 'pending' && (
                          <span style={{ fontSize: 11, color: '#d48806' }}>{t('status.pending')}</span>
                        )}
                        {unread > 0 && <Badge count={unread} size="small" aria-hidden />}
                      </span>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </nav>
  );
}
