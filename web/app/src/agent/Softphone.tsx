// The agent's phone at the top of the inbox column: whether the browser softphone is connected (and a
// button to connect it), a dial pad to call a number, and while a call is given to the agent, the call
// panel: the customer's number, how long the call has lasted, mute, hold, transfer, consult a colleague
// (then transfer, conference or back to the caller) and hang up. Accepting a voice offer is what
// answers a call, so there is no answer button here.
import {
  AudioMutedOutlined,
  AudioOutlined,
  CommentOutlined,
  NumberOutlined,
  PauseCircleOutlined,
  PhoneOutlined,
  PlayCircleOutlined,
  PoweroffOutlined,
  StopOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import { Button, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Me } from '../shared/auth';
import { CallConsult } from './CallConsult';
import { ConsultModal } from './ConsultModal';
import { DialPad } from './DialPad';
import { useNow } from './hooks';
import type { Softphone as Phone } from './softphone';
import { TransferModal } from './TransferModal';

const DOT: Record<string, string> = {
  off: '#bfbfbf',
  connecting: '#faad14',
  ready: '#52c41a',
  failed: '#cf1322',
  inCall: '#1664ff',
};

/** 75 s → "01:15"; an hour or more → "1:02:03". */
function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${two(m)}:${two(s % 60)}`;
}

export function Softphone({
  phone,
  me,
  onTransferred,
  onPlaced,
}: {
  phone: Phone;
  me: Me;
  /** The call left this agent (a transfer, blind or attended, or they left a conference). */
  onTransferred(conversationId: string): void;
  /** The agent placed a call from the dial pad: its conversation. */
  onPlaced(conversationId: string): void;
}) {
  const { t } = useTranslation('agent');
  const [transferOpen, setTransferOpen] = useState(false);
  const [consultOpen, setConsultOpen] = useState(false);
  const [padOpen, setPadOpen] = useState(false);
  const call = phone.call;
  const live = call && call.state !== 'ended' && call.state !== 'queued' && call.state !== 'callback';
  const now = useNow(1000, !!live);
  const shown = live ? 'inCall' : phone.status;
  // The colleague consulted (or the other agent in a conference) is on their own line.
  const mine = call?.agentId === me.id;
  const onLine = mine ? call?.device !== 'sip' : phone.status === 'ready';
  const withCaller = mine && !call?.consult && (call?.state === 'connected' || call?.state === 'held');
  if (phone.status === 'unavailable' && !live) return null;
  const handOver = (done: Promise<boolean>) => {
    const id = call?.conversationId;
    void done.then((ok) => ok && mine && id && onTransferred(id));
  };

  return (
    <section
      aria-label={t('phone.region')}
      data-testid="softphone"
      data-status={shown}
      style={{ padding: '6px 10px', borderBottom: '1px solid #f0f0f0' }}
    >
      {/* The caller's voice; no controls of its own (the call panel is the control). */}
      {/* biome-ignore lint/a11y/useMediaCaption: a live phone call has no captions to give */}
      <audio ref={phone.audioRef} autoPlay aria-hidden />
      <div style={{ display: 'flex', alignItems: 'center', gap: 6, minHeight: 28 }}>
        <PhoneOutlined aria-hidden style={{ color: DOT[shown] }} />
        <Typography.Text role="status" data-testid="phone-status" style={{ flex: 1, fontSize: 12 }} ellipsis>
          {t('phone.status', { state: t(`phone.states.${shown}`) })}
        </Typography.Text>
        {(phone.status === 'off' || phone.status === 'failed') && (
          <Button
            size="small"
            type={phone.status === 'off' ? 'primary' : 'default'}
            loading={phone.busy}
            onClick={() => void phone.connect()}
            data-testid="phone-connect"
          >
            {phone.status === 'off' ? t('phone.connect') : t('phone.reconnect')}
          </Button>
        )}
        {phone.status === 'connecting' && (
          <Button size="small" loading disabled>
            {t('phone.states.connecting')}
          </Button>
        )}
        {!live && (
          <Tooltip title={t('dial.toggle')}>
            <Button
              size="small"
              type={padOpen ? 'primary' : 'text'}
              ghost={padOpen}
              icon={<NumberOutlined aria-hidden />}
              aria-label={t('dial.toggle')}
              aria-expanded={padOpen}
              data-testid="dial-toggle"
              onClick={() => setPadOpen((o) => !o)}
            />
          </Tooltip>
        )}
        {phone.status === 'ready' && !live && (
          <Tooltip title={t('phone.disconnect')}>
            <Button
              size="small"
              type="text"
              icon={<PoweroffOutlined aria-hidden />}
              aria-label={t('phone.disconnect')}
              onClick={() => void phone.disconnect()}
            />
          </Tooltip>
        )}
      </div>
      {phone.status === 'failed' && phone.error && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {t('phone.failed', { reason: phone.error })}
        </Typography.Text>
      )}
      {padOpen && !live && (
        <DialPad
          busy={phone.busy}
          onDial={async (number) => {
            const placed = await phone.dial(number);
            if (placed) {
              setPadOpen(false);
              onPlaced(placed.conversationId);
            }
          }}
        />
      )}
      {call && live && (
        <div
          data-testid="call-panel"
          data-state={call.state}
          style={{
            marginTop: 4,
            padding: '6px 8px',
            background: call.state === 'held' && mine ? '#fffbe6' : '#e6f4ff',
            border: `1px solid ${call.state === 'held' && mine ? '#ffe58f' : '#91caff'}`,
            borderRadius: 8,
          }}
        >
          <div style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
            <Typography.Text strong data-testid="call-number" style={{ flex: 1 }} ellipsis>
              {call.direction === 'out' && call.state === 'connecting'
                ? t('phone.calling', { number: call.to })
                : call.direction === 'out'
                  ? call.to
                  : call.from}
            </Typography.Text>
            <Tag
              color={call.state === 'held' ? 'gold' : call.state === 'conference' ? 'purple' : 'blue'}
              style={{ marginInlineEnd: 0 }}
            >
              {t(`phone.callStates.${call.consult ? 'consulting' : call.state}`)}
            </Tag>
            <span
              role="timer"
              data-testid="call-timer"
              aria-label={t('phone.duration', {
                time: clock(call.connectedAt ? now - Date.parse(call.connectedAt) : 0),
              })}
              style={{ fontVariantNumeric: 'tabular-nums', fontSize: 12, color: '#595959' }}
            >
              {clock(call.connectedAt ? now - Date.parse(call.connectedAt) : 0)}
            </span>
          </div>
          {mine && call.device === 'sip' && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('phone.deskPhone')}
            </Typography.Text>
          )}
          <div style={{ display: 'flex', gap: 4, marginTop: 6 }}>
            {onLine && (
              <Button
                size="small"
                style={{ flex: 1 }}
                icon={phone.muted ? <AudioMutedOutlined aria-hidden /> : <AudioOutlined aria-hidden />}
                aria-label={phone.muted ? t('phone.unmute') : t('phone.mute')}
                data-testid="call-mute"
                disabled={phone.busy || phone.status !== 'ready'}
                onClick={() => void phone.setMuted(!phone.muted)}
              >
                {phone.muted ? t('phone.unmute') : t('phone.mute')}
              </Button>
            )}
            {withCaller && (
              <Button
                size="small"
                style={{ flex: 1 }}
                icon={
                  call.state === 'held' ? (
                    <PlayCircleOutlined aria-hidden />
                  ) : (
                    <PauseCircleOutlined aria-hidden />
                  )
                }
                aria-label={call.state === 'held' ? t('phone.resume') : t('phone.hold')}
                data-testid="call-hold"
                disabled={phone.busy || (call.state !== 'connected' && call.state !== 'held')}
                onClick={() => void (call.state === 'held' ? phone.resume() : phone.hold())}
              >
                {call.state === 'held' ? t('phone.resume') : t('phone.hold')}
              </Button>
            )}
            {withCaller && (
              <Button
                size="small"
                style={{ flex: 1 }}
                icon={<SwapOutlined aria-hidden />}
                aria-label={t('phone.transfer')}
                data-testid="call-transfer"
                disabled={phone.busy || (call.state !== 'connected' && call.state !== 'held')}
                onClick={() => setTransferOpen(true)}
              >
                {t('phone.transfer')}
              </Button>
            )}
          </div>
          <CallConsult
            call={call}
            me={me}
            phone={{
              ...phone,
              completeTransfer: () => {
                const done = phone.completeTransfer();
                handOver(done);
                return done;
              },
              leave: () => {
                const done = phone.leave();
                handOver(done);
                return done;
              },
            }}
          />
          {mine && (
            <div style={{ display: 'flex', gap: 4, marginTop: 4 }}>
              {withCaller && (
                <Button
                  size="small"
                  style={{ flex: 1 }}
                  icon={<CommentOutlined aria-hidden />}
                  data-testid="call-consult-start"
                  disabled={phone.busy}
                  onClick={() => setConsultOpen(true)}
                >
                  {t('consult.button')}
                </Button>
              )}
              <Button
                size="small"
                danger
                type="primary"
                style={{ flex: 1 }}
                icon={<StopOutlined aria-hidden />}
                aria-label={t('phone.hangup')}
                data-testid="call-hangup"
                disabled={phone.busy}
                onClick={() => void phone.hangup()}
              >
                {t('phone.hangup')}
              </Button>
            </div>
          )}
          <ConsultModal
            meId={me.id}
            open={consultOpen}
            busy={phone.busy}
            onClose={() => setConsultOpen(false)}
            onConsult={(agentId) => void phone.consult(agentId).then((ok) => ok && setConsultOpen(false))}
          />
          <TransferModal
            conversation={{ id: call.conversationId, channelType: 'voice' }}
            me={me}
            open={transferOpen}
            onClose={() => setTransferOpen(false)}
            onDone={() => {
              setTransferOpen(false);
              phone.refresh();
              onTransferred(call.conversationId);
            }}
          />
        </div>
      )}
    </section>
  );
}
