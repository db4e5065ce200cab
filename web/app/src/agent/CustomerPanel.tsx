// Customer 360: who this is (identities as the server shows them — masked for agents), their
// profile and tags, merge suggestions (supervisors and above decide), and everything they said on
// every channel, live — so the agent answering an e-mail sees the app chat of a minute ago. A phone
// identity has a call button (click-to-call) when its number is shown in full.
import {
  CheckCircleFilled,
  CrownOutlined,
  IdcardOutlined,
  MailOutlined,
  MergeOutlined,
  MobileOutlined,
  PhoneOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { App, Avatar, Button, Descriptions, Empty, Skeleton, Tag, Tooltip, Typography } from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../shared/api';
import { atLeast, type Me } from '../shared/auth';
import { ChannelIcon, channelColor } from '../shared/ChannelIcon';
import { useLiveEvents } from '../shared/live';
import { Clamp } from './Clamp';
import { useCustomers, useFail, useRefresh } from './hooks';
import {
  type Customer,
  customerName,
  customers,
  type MergeSuggestion,
  shortTag,
  type TimelineEntry,
} from './model';
import { formatDateTime } from './time';

const KIND_ICON: Record<string, ReactNode> = {
  phone: <PhoneOutlined aria-hidden />,
  email: <MailOutlined aria-hidden />,
  device: <MobileOutlined aria-hidden />,
};

function Section({ title, children, extra }: { title: string; children: ReactNode; extra?: ReactNode }) {
  return (
    <section aria-label={title} style={{ padding: '10px 14px', borderBottom: '1px solid #f0f0f0' }}>
      <div style={{ display: 'flex', alignItems: 'center', marginBottom: 6 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12, flex: 1, fontWeight: 600 }}>
          {title}
        </Typography.Text>
        {extra}
      </div>
      {children}
    </section>
  );
}

function Suggestions({ customer }: { customer: Customer }) {
  const { t } = useTranslation('agent');
  const fail = useFail();
  const { message } = App.useApp();
  const [items, setItems] = useState<MergeSuggestion[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  useCustomers();
  const load = useCallback(() => {
    get<{ items: MergeSuggestion[] }>('/api/v1/merge-suggestions?status=pending&limit=100')
      .then((r) => {
        const mine = r.items.filter((s) => s.customerIds.includes(customer.id));
        setItems(mine);
        for (const s of mine) for (const id of s.customerIds) if (id !== customer.id) void customers.load(id);
      })
      .catch(() => setItems([]));
  }, [customer.id]);
  useEffect(load, [load]);
  useLiveEvents(['customer.merged', 'customer.merge_suggested', 'merge_suggestion.*'], load);

  if (items.length === 0) return null;
  const decide = async (s: MergeSuggestion, verb: 'accept' | 'reject') => {
    setBusy(s.id);
    try {
      await post(`/api/v1/merge-suggestions/${s.id}/${verb}`);
      void message.success(verb === 'accept' ? t('merge.accepted') : t('merge.rejected'));
      setItems((xs) => xs.filter((x) => x.id !== s.id));
      void customers.load(customer.id, true);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Section title={t('merge.title')}>
      {items.map((s) => {
        const otherId = s.customerIds.find((id) => id !== customer.id)!;
        const other = customers.get(otherId);
        const name = customerName(other, t('customer.visitor', { tag: shortTag(otherId) }));
        return (
          <div
            key={s.id}
            data-testid="merge-suggestion"
            style={{ border: '1px dashed #adc6ff', borderRadius: 8, padding: 8, marginBottom: 6 }}
          >
            <div style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
              <MergeOutlined aria-hidden style={{ color: '#1664ff' }} />
              <Typography.Text strong ellipsis style={{ flex: 1 }}>
                {name}
              </Typography.Text>
              <Tag color="blue">{t('merge.confidence', { value: Math.round(s.confidence * 100) })}</Tag>
            </div>
            {other && other.identities.length > 0 && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
                {other.identities.map((i) => i.value).join(' · ')}
              </Typography.Text>
            )}
            <div style={{ display: 'flex', gap: 6, marginTop: 6 }}>
              <Button
                size="small"
                type="primary"
                loading={busy === s.id}
                onClick={() => void decide(s, 'accept')}
                aria-label={t('merge.acceptWith', { name })}
              >
                {t('merge.accept')}
              </Button>
              <Button
                size="small"
                disabled={busy === s.id}
                onClick={() => void decide(s, 'reject')}
                aria-label={t('merge.rejectWith', { name })}
              >
                {t('merge.reject')}
              </Button>
            </div>
          </div>
        );
      })}
    </Section>
  );
}

function Timeline({ customerId, conversationId }: { customerId: string; conversationId: string }) {
  const { t, i18n } = useTranslation('agent');
  const [items, setItems] = useState<TimelineEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useCallback(() => {
    get<{ items: TimelineEntry[]; nextCursor?: string | null }>(
      `/api/v1/customers/${customerId}/timeline?limit=50`,
    )
      .then((r) => {
        setItems(r.items);
        setCursor(r.nextCursor ?? null);
      })
      .catch(() => setItems([]));
  }, [customerId]);
  useEffect(() => {
    setItems(null);
    load();
  }, [load]);
  useRefresh(load);
  useLiveEvents(
    ['message.received', 'message.created', 'message.status', 'message.sent', 'customer.merged'],
    (e) => {
      const p = e.payload;
      if (e.type === 'customer.merged') {
        if (p.survivorId === customerId || p.mergedId === customerId) load();
        return;
      }
      if (e.type === 'message.received' || e.type === 'message.created') {
        if (p.customerId !== customerId) return;
        const entry: TimelineEntry = {
          id: p.id,
          kind: 'message',
          at: e.occurredAt,
          conversationId: p.conversationId,
          conversationStatus: 'open',
          channelType: p.channelType,
          direction: e.type === 'message.received' ? 'in' : 'out',
          senderType: e.type === 'message.received' ? 'customer' : 'agent',
          contentType: p.contentType ?? 'text',
          text: p.text ?? '',
          deliveryStatus: e.type === 'message.received' ? 'received' : 'queued',
          channelChanged: false,
        };
        setItems((xs) => (xs && !xs.some((x) => x.id === entry.id) ? [entry, ...xs] : xs));
      }
    },
  );
  const more = async () => {
    if (!cursor) return;
    const r = await get<{ items: TimelineEntry[]; nextCursor?: string | null }>(
      `/api/v1/customers/${customerId}/timeline?limit=50&cursor=${encodeURIComponent(cursor)}`,
    ).catch(() => undefined);
    if (!r) return;
    setItems((xs) => [...(xs ?? []), ...r.items]);
    setCursor(r.nextCursor ?? null);
  };

  if (items === null) return <Skeleton active paragraph={{ rows: 4 }} />;
  if (items.length === 0)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('timeline.empty')} />;
  return (
    <div role="feed" aria-label={t('timeline.title')} data-testid="timeline">
      {items.map((e) => {
        if (e.kind === 'merge')
          return (
            <div key={e.id} style={{ fontSize: 12, color: '#8c8c8c', margin: '6px 0' }}>
              <MergeOutlined aria-hidden /> {t(`timeline.merge_${e.role}`)} ·{' '}
              {formatDateTime(e.at, i18n.language)}
            </div>
          );
        const here = e.conversationId === conversationId;
        return (
          <article
            key={e.id}
            data-testid="timeline-entry"
            aria-label={t(e.direction === 'in' ? 'timeline.fromCustomer' : 'timeline.fromTeam')}
            style={{
              display: 'flex',
              gap: 8,
              padding: '6px 8px',
              margin: '2px 0',
              borderRadius: 6,
              borderLeft: `3px solid ${here ? '#1664ff' : channelColor(e.channelType)}`,
              background: here ? '#f0f5ff' : '#fafafa',
            }}
          >
            <span style={{ paddingTop: 2 }}>
              <ChannelIcon type={e.channelType} size={13} />
            </span>
            <span style={{ flex: 1, minWidth: 0 }}>
              <span style={{ display: 'flex', gap: 6, fontSize: 11, color: '#8c8c8c' }}>
                <span style={{ flex: 1 }}>
                  {e.direction === 'in' ? t('timeline.customer') : t('timeline.team')}
                  {here && ` · ${t('timeline.thisConversation')}`}
                </span>
                <span>{formatDateTime(e.at, i18n.language)}</span>
              </span>
              <Clamp lines={3} style={{ fontSize: 12 }}>
                {e.text}
              </Clamp>
            </span>
          </article>
        );
      })}
      {cursor && (
        <Button type="link" size="small" block onClick={() => void more()}>
          {t('timeline.more')}
        </Button>
      )}
    </div>
  );
}

/** Click-to-call from the panel: how to place a call, and whether one can be placed now. */
export interface PanelCalling {
  /** Calls one of the customer's phone identities (the server dials the stored number, masked or not). */
  call(identityId: string, customerId: string): void;
  /** Already on a call, or a call is being placed. */
  disabled: boolean;
}

/**
 * Agents see phone numbers masked (`+86 138****8000`): the call is placed by identity, so the server
 * dials the stored number and the agent never needs to see it.
 */
function CallButton({
  number,
  identityId,
  customerId,
  calling,
}: {
  number: string;
  identityId: string;
  customerId: string;
  calling: PanelCalling;
}) {
  const { t } = useTranslation('agent');
  return (
    <Tooltip title={t('customer.call', { number })}>
      <Button
        size="small"
        type="text"
        icon={<PhoneOutlined aria-hidden />}
        aria-label={t('customer.call', { number })}
        data-testid="identity-call"
        disabled={calling.disabled}
        onClick={() => calling.call(identityId, customerId)}
      />
    </Tooltip>
  );
}

export function CustomerPanel({
  customerId,
  conversationId,
  me,
  calling,
}: {
  customerId: string;
  conversationId: string;
  me: Me;
  /** Absent when this server has no phone. */
  calling?: PanelCalling | undefined;
}) {
  const { t, i18n } = useTranslation('agent');
  const kindLabel = (k: string) => (i18n.exists(`agent:identityKinds.${k}`) ? t(`identityKinds.${k}`) : k);
  useCustomers();
  const customer = customers.get(customerId);
  useEffect(() => {
    void customers.load(customerId, true);
  }, [customerId]);
  useLiveEvents(['customer.updated', 'customer.merged', 'customer.identity_added'], (e) => {
    const p = e.payload;
    if (e.aggregateId === customerId || p.id === customerId || p.survivorId === customerId)
      void customers.load(customerId, true);
  });

  if (!customer)
    return (
      <div style={{ padding: 14 }}>
        <Skeleton active avatar paragraph={{ rows: 6 }} />
      </div>
    );
  const name = customerName(customer, t('customer.visitor', { tag: shortTag(customer.id) }));
  const tags = Array.isArray(customer.attributes.tags) ? (customer.attributes.tags as string[]) : [];
  const profile = Object.entries(customer.attributes).filter(
    ([k, v]) => k !== 'tags' && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'),
  );

  return (
    <div style={{ display: 'flex', flexDirection: 'column', minHeight: 0, height: '100%' }}>
      <div style={{ overflowY: 'auto', flex: 1, minHeight: 0 }}>
        <div style={{ display: 'flex', gap: 10, alignItems: 'center', padding: '12px 14px' }}>
          <Avatar
            size={40}
            icon={<UserOutlined aria-hidden />}
            style={{ background: '#1664ff' }}
            aria-hidden
          />
          <div style={{ minWidth: 0, flex: 1 }}>
            <Typography.Title level={5} style={{ margin: 0 }} ellipsis>
              {name}
            </Typography.Title>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('customer.since', { date: formatDateTime(customer.createdAt, i18n.language) })}
            </Typography.Text>
            <div style={{ display: 'flex', gap: 4, marginTop: 2, flexWrap: 'wrap' }}>
              {customer.tier > 0 && (
                <Tag icon={<CrownOutlined aria-hidden />} color="gold">
                  {t('customer.tier', { tier: customer.tier })}
                </Tag>
              )}
              {tags.map((x) => (
                <Tag key={x}>{x}</Tag>
              ))}
            </div>
          </div>
        </div>
        <Section title={t('customer.identities')}>
          {customer.identities.length === 0 ? (
            <Typography.Text type="secondary">{t('customer.noIdentities')}</Typography.Text>
          ) : (
            <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} aria-label={t('customer.identities')}>
              {customer.identities.map((i) => (
                <li
                  key={i.id}
                  data-testid="identity"
                  style={{ display: 'flex', gap: 8, alignItems: 'center', fontSize: 13, padding: '2px 0' }}
                >
                  <Tooltip title={kindLabel(i.kind)}>
                    <span style={{ color: '#8c8c8c' }} role="img" aria-label={kindLabel(i.kind)}>
                      {KIND_ICON[i.kind] ?? <IdcardOutlined aria-hidden />}
                    </span>
                  </Tooltip>
                  <Typography.Text
                    ellipsis
                    style={{ flex: 1, fontFamily: 'ui-monospace, monospace', fontSize: 12 }}
                  >
                    {i.value}
                  </Typography.Text>
                  {i.verified && (
                    <Tooltip title={t('customer.verified')}>
                      <CheckCircleFilled style={{ color: '#52c41a' }} aria-label={t('customer.verified')} />
                    </Tooltip>
                  )}
                  {calling && i.kind === 'phone' && (
                    <CallButton
                      number={i.value}
                      identityId={i.id}
                      calling={calling}
                      customerId={customer.id}
                    />
                  )}
                </li>
              ))}
            </ul>
          )}
        </Section>
        {profile.length > 0 && (
          <Section title={t('customer.profile')}>
            <Descriptions
              size="small"
              column={1}
              items={profile.slice(0, 12).map(([k, v]) => ({ key: k, label: k, children: String(v) }))}
            />
          </Section>
        )}
        {atLeast(me.role, 'supervisor') && <Suggestions customer={customer} />}
        <Section title={t('timeline.title')}>
          <Timeline customerId={customerId} conversationId={conversationId} />
        </Section>
      </div>
    </div>
  );
}
