// Incoming offers: who is waiting, on which channel, what they wrote, how long is left to answer;
// accept (Alt+A) or reject (Alt+R) — the first offer takes the shortcuts. A phone call says so:
// accepting it connects the caller to the agent's phone.
import { CheckOutlined, CloseOutlined, PhoneOutlined } from '@ant-design/icons';
import { Button, Progress, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { ChannelIcon } from '../shared/ChannelIcon';
import { Clamp } from './Clamp';
import { type Offer, type Offers, useCustomers, useNow } from './hooks';
import { customerName, customers, shortTag } from './model';

/** Channels whose work is a phone call (the routing engine's voice class). */
const CALL_CHANNELS = new Set(['voice', 'phone', 'sip']);

export function OfferList({
  offers,
  onAccept,
  phoneReady = true,
}: {
  offers: Offers;
  onAccept(o: Offer): void;
  /** The browser softphone is up: a call offer warns when it is not. */
  phoneReady?: boolean;
}) {
  const { t } = useTranslation('agent');
  useCustomers();
  const now = useNow(250, offers.items.length > 0);
  if (offers.items.length === 0) return null;
  return (
    <section
      aria-label={t('offers.region')}
      aria-live="polite"
      style={{ padding: '8px 10px', background: '#fff7e6', borderBottom: '1px solid #ffd591' }}
    >
      <Typography.Text strong style={{ fontSize: 12, color: '#ad4e00' }}>
        {t('offers.title', { count: offers.items.length })}
      </Typography.Text>
      {offers.items.map((o, i) => {
        const total = Math.max(1, o.expiresAt - o.createdAt);
        const left = Math.max(0, o.localExpiry - now);
        const secs = Math.ceil(left / 1000);
        const channel = o.task?.attributes.channel ?? o.conversation?.channelType ?? '';
        const customerId = o.conversation?.customerId ?? o.task?.attributes.customerId;
        const name = customerName(
          customerId ? customers.get(customerId) : undefined,
          customerId ? t('customer.visitor', { tag: shortTag(customerId) }) : t('customer.unknown'),
        );
        const busy = offers.pending.has(o.id);
        const isCall = CALL_CHANNELS.has(channel);
        return (
          <article
            key={o.id}
            data-testid="offer"
            aria-label={t('offers.from', { name })}
            style={{
              marginTop: 6,
              padding: '8px 10px',
              background: '#fff',
              border: '1px solid #ffc069',
              borderRadius: 8,
              boxShadow: '0 1px 2px rgba(0,0,0,.06)',
            }}
          >
            <div style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
              {channel && <ChannelIcon type={channel} />}
              <Typography.Text strong ellipsis style={{ flex: 1 }}>
                {name}
              </Typography.Text>
              <span
                role="timer"
                aria-label={t('offers.secondsLeft', { count: secs })}
                style={{
                  fontVariantNumeric: 'tabular-nums',
                  fontSize: 12,
                  color: secs <= 5 ? '#cf1322' : '#8c8c8c',
                }}
              >
                {t('offers.seconds', { count: secs })}
              </span>
            </div>
            {isCall && (
              <div data-testid="offer-call" style={{ marginTop: 4, fontSize: 12, color: '#0e7490' }}>
                <PhoneOutlined aria-hidden style={{ marginRight: 4 }} />
                {t('offers.call')}
                {!phoneReady && (
                  <Typography.Text type="warning" style={{ display: 'block', fontSize: 12 }}>
                    {t('offers.connectPhone')}
                  </Typography.Text>
                )}
              </div>
            )}
            {o.preview && (
              <Clamp lines={2} style={{ marginTop: 4, fontSize: 12, color: 'rgba(0,0,0,.55)' }}>
                {o.preview}
              </Clamp>
            )}
            <Progress
              percent={(left / total) * 100}
              showInfo={false}
              size="small"
              strokeColor={secs <= 5 ? '#cf1322' : '#fa8c16'}
              style={{ margin: '4px 0' }}
              aria-hidden
            />
            <div style={{ display: 'flex', gap: 6 }}>
              <Button
                type="primary"
                size="small"
                icon={<CheckOutlined aria-hidden />}
                loading={busy}
                onClick={() => onAccept(o)}
                aria-keyshortcuts={i === 0 ? 'Alt+A' : undefined}
                style={{ flex: 1 }}
              >
                {t('offers.accept')}
              </Button>
              <Button
                size="small"
                danger
                icon={<CloseOutlined aria-hidden />}
                disabled={busy}
                onClick={() => void offers.reject(o)}
                aria-keyshortcuts={i === 0 ? 'Alt+R' : undefined}
              >
                {t('offers.reject')}
              </Button>
            </div>
          </article>
        );
      })}
    </section>
  );
}
