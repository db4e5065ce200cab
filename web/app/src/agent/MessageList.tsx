// The conversation's messages and internal notes in time order: the customer on the left, the team
// on the right with the delivery state of each reply, system lines centred, notes in yellow.
import {
  CheckOutlined,
  ClockCircleOutlined,
  ExclamationCircleFilled,
  LockOutlined,
  PaperClipOutlined,
} from '@ant-design/icons';
import { Tooltip, Typography } from 'antd';
import { Fragment, type ReactNode, useEffect, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message, Note } from './model';
import { dayKey, formatDateTime, formatDay, formatTime } from './time';

export type Entry = { kind: 'message'; at: string; m: Message } | { kind: 'note'; at: string; n: Note };

function DeliveryStatus({ m }: { m: Message }) {
  const { t, i18n } = useTranslation('agent');
  const s = m.deliveryStatus;
  const label = i18n.exists(`agent:delivery.${s}`) ? t(`delivery.${s}`) : s;
  const color = s === 'read' ? '#1664ff' : s === 'failed' ? '#cf1322' : '#8c8c8c';
  const icon =
    s === 'queued' ? (
      <ClockCircleOutlined aria-hidden />
    ) : s === 'failed' ? (
      <ExclamationCircleFilled aria-hidden />
    ) : s === 'delivered' || s === 'read' ? (
      <span style={{ letterSpacing: -5, marginRight: 4 }}>
        <CheckOutlined aria-hidden />
        <CheckOutlined aria-hidden />
      </span>
    ) : (
      <CheckOutlined aria-hidden />
    );
  const body = (
    <span
      data-testid="delivery"
      data-status={s}
      style={{ color, display: 'inline-flex', gap: 4, alignItems: 'center' }}
    >
      {icon}
      {label}
    </span>
  );
  return m.deliveryError ? <Tooltip title={m.deliveryError}>{body}</Tooltip> : body;
}

interface Media {
  kind?: string;
  url?: string;
  mimeType?: string;
  filename?: string;
  sizeBytes?: number;
}

/** The file of a message: `payload.media[0]` (web chat, app) or `payload.file` (an agent's upload). */
export function fileOf(m: Message): Media | undefined {
  const p = m.payload as {
    media?: Media[];
    file?: { url?: string; name?: string; size?: number; contentType?: string };
  };
  const media = Array.isArray(p.media) ? p.media[0] : undefined;
  if (media?.url) return media;
  if (p.file?.url)
    return { url: p.file.url, filename: p.file.name, sizeBytes: p.file.size, mimeType: p.file.contentType };
  return undefined;
}

function FileBody({ m, f }: { m: Message; f: Media }) {
  const { t } = useTranslation('agent');
  const name = f.filename || t('composer.file');
  const size = typeof f.sizeBytes === 'number' ? `${Math.max(1, Math.round(f.sizeBytes / 1024))} KB` : '';
  const isImage = (f.kind === 'image' || f.mimeType?.startsWith('image/')) && f.url;
  return (
    <span style={{ display: 'inline-flex', flexDirection: 'column', gap: 4 }}>
      {isImage && (
        <img
          src={f.url}
          alt={name}
          style={{ maxWidth: 240, maxHeight: 180, borderRadius: 6, objectFit: 'cover' }}
        />
      )}
      <span style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
        <PaperClipOutlined aria-hidden />
        {f.url ? (
          <a href={f.url} target="_blank" rel="noreferrer">
            {name}
          </a>
        ) : (
          name
        )}
        {size && <Typography.Text type="secondary">{size}</Typography.Text>}
      </span>
      {m.text && <span>{m.text}</span>}
    </span>
  );
}

/** Note text with its @mentions picked out. */
function withMentions(text: string, names: string[]): ReactNode {
  if (names.length === 0) return text;
  const escaped = names
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (escaped.length === 0) return text;
  const parts = text.split(new RegExp(`(@(?:${escaped.join('|')}))`, 'g'));
  return parts.map((p, i) =>
    p.startsWith('@') && names.includes(p.slice(1)) ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: split parts have no identity of their own
      <strong key={i} style={{ color: '#1664ff' }}>
        {p}
      </strong>
    ) : (
      p
    ),
  );
}

export function MessageList({
  entries,
  customerName,
  agentName,
  mentionNames,
  typing,
  loading,
}: {
  entries: Entry[];
  customerName: string;
  agentName(id: string | null): string;
  mentionNames: string[];
  typing: boolean;
  loading: boolean;
}) {
  const { t, i18n } = useTranslation('agent');
  const lang = i18n.language;
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });
  useEffect(() => {
    stick.current = true;
  }, []);

  let lastDay = '';
  return (
    <div
      ref={scroller}
      role="log"
      aria-label={t('conversation.messages')}
      aria-live="polite"
      aria-busy={loading}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
      }}
      style={{ flex: 1, minHeight: 0, overflowY: 'auto', padding: '12px 16px', background: '#fafafa' }}
    >
      {entries.map((e) => {
        const day = dayKey(e.at);
        const sep = day !== lastDay;
        lastDay = day;
        const heading = sep && (
          <div style={{ textAlign: 'center', margin: '8px 0' }}>
            <span
              style={{
                fontSize: 11,
                color: '#8c8c8c',
                background: '#f0f0f0',
                borderRadius: 10,
                padding: '2px 10px',
              }}
            >
              {formatDay(e.at, lang)}
            </span>
          </div>
        );
        if (e.kind === 'note') {
          const n = e.n;
          return (
            <Fragment key={`n-${n.id}`}>
              {heading}
              <div
                data-testid="note"
                style={{ display: 'flex', justifyContent: 'flex-end', margin: '6px 0' }}
              >
                <div
                  style={{
                    maxWidth: '78%',
                    background: '#fffbe6',
                    border: '1px solid #ffe58f',
                    borderRadius: 10,
                    padding: '6px 10px',
                  }}
                >
                  <div
                    style={{ fontSize: 11, color: '#ad6800', display: 'flex', gap: 6, alignItems: 'center' }}
                  >
                    <LockOutlined aria-hidden />
                    <span>{t('notes.label', { name: n.authorName })}</span>
                    <span style={{ color: '#bfbfbf' }}>{formatTime(n.createdAt, lang)}</span>
                  </div>
                  <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                    {withMentions(n.text, mentionNames)}
                  </div>
                </div>
              </div>
            </Fragment>
          );
        }
        const m = e.m;
        if (m.senderType === 'system') {
          return (
            <Fragment key={m.id}>
              {heading}
              <div
                data-testid="message"
                data-sender="system"
                style={{ textAlign: 'center', margin: '8px 0' }}
              >
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {m.text} · {formatTime(m.createdAt, lang)}
                </Typography.Text>
              </div>
            </Fragment>
          );
        }
        const out = m.direction === 'out';
        const file = fileOf(m);
        const who = out
          ? m.senderType === 'bot'
            ? t('conversation.bot')
            : agentName(m.senderId)
          : customerName;
        return (
          <Fragment key={m.id}>
            {heading}
            <div
              data-testid="message"
              data-sender={m.senderType}
              style={{ display: 'flex', justifyContent: out ? 'flex-end' : 'flex-start', margin: '6px 0' }}
            >
              <div style={{ maxWidth: '78%' }}>
                <div
                  style={{
                    fontSize: 11,
                    color: '#8c8c8c',
                    textAlign: out ? 'right' : 'left',
                    marginBottom: 2,
                  }}
                >
                  <Tooltip title={formatDateTime(m.createdAt, lang)}>
                    <span>
                      {who} · {formatTime(m.createdAt, lang)}
                    </span>
                  </Tooltip>
                </div>
                <div
                  className="sb-bubble"
                  style={{
                    background: out ? '#e6f0ff' : '#fff',
                    border: out ? '1px solid #bcd4ff' : '1px solid #f0f0f0',
                    borderRadius: out ? '12px 12px 2px 12px' : '12px 12px 12px 2px',
                    padding: '6px 10px',
                    whiteSpace: 'pre-wrap',
                    wordBreak: 'break-word',
                  }}
                >
                  {file ? <FileBody m={m} f={file} /> : m.text}
                </div>
                {out && (
                  <div style={{ fontSize: 11, textAlign: 'right', marginTop: 2 }}>
                    <DeliveryStatus m={m} />
                  </div>
                )}
              </div>
            </div>
          </Fragment>
        );
      })}
      {typing && (
        <div
          role="status"
          data-testid="customer-typing"
          style={{ margin: '6px 0', color: '#389e0d', fontSize: 12 }}
        >
          <span className="sb-typing-dots" aria-hidden>
            <span />
            <span />
            <span />
          </span>
          {t('typing.customerNamed', { name: customerName })}
        </div>
      )}
    </div>
  );
}
