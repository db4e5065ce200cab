// Replying on the customer's channel (text, emoji, files, canned responses with variables) or
// writing an internal note with @mentions. Ctrl/⌘+Enter sends; "/" opens the canned responses.
import {
  LockOutlined,
  PaperClipOutlined,
  SendOutlined,
  SmileOutlined,
  ThunderboltOutlined,
} from '@ant-design/icons';
import { Button, Input, Mentions, Popover, Segmented, Tooltip, Typography } from 'antd';
import {
  type KeyboardEvent,
  type Ref,
  type SyntheticEvent,
  useCallback,
  useEffect,
  useImperativeHandle,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, get, post } from '../shared/api';
import type { Me } from '../shared/auth';
import { currentLanguage } from '../shared/i18n';
import { useFail } from './hooks';
import type { CannedResponse, Conversation, Customer, Message, Note } from './model';

export type ComposerMode = 'reply' | 'note';

export interface ComposerHandle {
  focus(): void;
  toggleMode(): void;
}

const EMOJI = [
  '😀',
  '😊',
  '🙂',
  '😉',
  '😄',
  '😂',
  '🥰',
  '😍',
  '🤔',
  '😅',
  '😢',
  '😮',
  '🙏',
  '👍',
  '👌',
  '👏',
  '🎉',
  '❤️',
  '💯',
  '✅',
  '❌',
  '⭐',
  '🔥',
  '📦',
  '🚚',
  '💳',
  '📞',
  '📧',
  '⏰',
  '🎁',
  '👋',
  '🤝',
];

/** Variables a canned response may use, filled here when the server cannot render it. */
function renderLocally(body: string, vars: Record<string, string>): string {
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (all, k: string) => vars[k] ?? all);
}

function useCanned() {
  const [items, setItems] = useState<CannedResponse[] | null>(null);
  const load = useCallback(() => {
    if (items) return;
    setItems([]);
    get<{ items: CannedResponse[] }>(`/api/v1/canned-responses?language=${currentLanguage()}&limit=200`)
      .then((r) => setItems(r.items))
      .catch(() => setItems([]));
  }, [items]);
  return { items: items ?? [], load };
}

function filterCanned(items: CannedResponse[], q: string): CannedResponse[] {
  const s = q.trim().toLowerCase();
  if (!s) return items.slice(0, 50);
  return items
    .filter(
      (c) =>
        c.shortcut?.toLowerCase().includes(s) ||
        c.title.toLowerCase().includes(s) ||
        c.body.toLowerCase().includes(s),
    )
    .slice(0, 50);
}

function CannedList({
  id,
  items,
  index,
  onPick,
  onHover,
}: {
  id: string;
  items: CannedResponse[];
  index: number;
  onPick(c: CannedResponse): void;
  onHover(i: number): void;
}) {
  const { t } = useTranslation('agent');
  if (items.length === 0)
    return (
      <Typography.Text type="secondary" style={{ display: 'block', padding: '8px 10px' }}>
        {t('canned.none')}
      </Typography.Text>
    );
  return (
    <div id={id} role="listbox" aria-label={t('canned.title')} style={{ maxHeight: 220, overflowY: 'auto' }}>
      {items.map((c, i) => (
        <div
          key={c.id}
          id={`${id}-${i}`}
          role="option"
          tabIndex={-1}
          aria-selected={i === index}
          className="sb-canned-option"
          onMouseDown={(e) => e.preventDefault()}
          onMouseEnter={() => onHover(i)}
          onClick={() => onPick(c)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onPick(c);
          }}
        >
          <div style={{ display: 'flex', gap: 8, alignItems: 'baseline' }}>
            {c.shortcut && <code style={{ color: '#1664ff' }}>/{c.shortcut}</code>}
            <Typography.Text strong ellipsis style={{ flex: 1 }}>
              {c.title}
            </Typography.Text>
          </div>
          <Typography.Text type="secondary" ellipsis style={{ fontSize: 12, display: 'block' }}>
            {c.body}
          </Typography.Text>
        </div>
      ))}
    </div>
  );
}

export function Composer({
  ref,
  conversation,
  customer,
  me,
  mentionUsers,
  mode,
  onMode,
  onSent,
  onNote,
}: {
  ref?: Ref<ComposerHandle>;
  conversation: Conversation;
  customer: Customer | undefined;
  me: Me;
  mentionUsers: { id: string; name: string }[];
  mode: ComposerMode;
  onMode(m: ComposerMode): void;
  onSent(m: Message): void;
  onNote(n: Note): void;
}) {
  const { t } = useTranslation('agent');
  const fail = useFail();
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const key = `${conversation.id}:${mode}`;
  const text = drafts[key] ?? '';
  const setText = (v: string) => setDrafts((d) => ({ ...d, [key]: v }));
  const [sending, setSending] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const caret = useRef(0);
  const canned = useCanned();
  const [slash, setSlash] = useState<{ start: number; query: string } | null>(null);
  const [cannedIndex, setCannedIndex] = useState(0);
  const [cannedPopover, setCannedPopover] = useState(false);
  const [cannedSearch, setCannedSearch] = useState('');
  const [emojiOpen, setEmojiOpen] = useState(false);
  const typing = useRef({
    on: false,
    last: 0,
    timer: undefined as ReturnType<typeof setTimeout> | undefined,
    off: false,
  });
  const listId = `canned-${conversation.id}`;

  const textarea = () => box.current?.querySelector('textarea') ?? null;
  const focus = () => {
    const el = textarea();
    el?.focus();
  };
  useImperativeHandle(ref, () => ({ focus, toggleMode: () => onMode(mode === 'reply' ? 'note' : 'reply') }));

  // ---- the agent's typing, sent to the customer (throttled), and stopped on a pause or a send
  const sendTyping = useCallback(
    (on: boolean) => {
      if (typing.current.off) return;
      api('POST', `/api/v1/conversations/${conversation.id}/typing`, { typing: on }).catch((e) => {
        if (e instanceof ApiError && (e.status === 404 || e.status === 405)) typing.current.off = true;
      });
    },
    [conversation.id],
  );
  const stopTyping = useCallback(() => {
    const s = typing.current;
    clearTimeout(s.timer);
    if (s.on) {
      s.on = false;
      sendTyping(false);
    }
  }, [sendTyping]);
  const typed = () => {
    if (mode !== 'reply') return;
    const s = typing.current;
    const now = Date.now();
    if (!s.on || now - s.last > 3000) {
      s.on = true;
      s.last = now;
      sendTyping(true);
    }
    clearTimeout(s.timer);
    s.timer = setTimeout(stopTyping, 2500);
  };
  useEffect(() => stopTyping, [stopTyping]);
  useEffect(() => {
    if (mode === 'note') stopTyping();
  }, [mode, stopTyping]);

  // ---- canned responses
  const cannedVars = (): Record<string, string> => {
    const name = customer?.displayName ?? '';
    return {
      'customer.name': name,
      'customer.firstName': name.split(/\s+/)[0] ?? name,
      'agent.name': me.displayName,
      'conversation.id': conversation.id,
    };
  };
  const pickCanned = async (c: CannedResponse, replace?: { start: number; end: number }) => {
    setSlash(null);
    setCannedPopover(false);
    let rendered: string;
    try {
      rendered = (
        await post<{ text: string; unknown?: string[] }>(`/api/v1/canned-responses/${c.id}/render`, {
          conversationId: conversation.id,
        })
      ).text;
    } catch {
      rendered = renderLocally(c.body, cannedVars());
    }
    const at = replace ?? { start: caret.current, end: caret.current };
    const next = text.slice(0, at.start) + rendered + text.slice(at.end);
    setText(next);
    const pos = at.start + rendered.length;
    caret.current = pos;
    requestAnimationFrame(() => {
      const el = textarea();
      if (el) {
        el.focus();
        el.setSelectionRange(pos, pos);
      }
    });
  };
  const slashItems = slash ? filterCanned(canned.items, slash.query) : [];

  const onChange = (value: string, el: HTMLTextAreaElement | null) => {
    setText(value);
    const pos = el?.selectionStart ?? value.length;
    caret.current = pos;
    if (mode === 'reply') {
      typed();
      const m = /(?:^|\s)\/([^\s/]*)$/.exec(value.slice(0, pos));
      if (m) {
        canned.load();
        setSlash({ start: pos - m[1]!.length - 1, query: m[1]! });
        setCannedIndex(0);
      } else setSlash(null);
    }
  };

  const insert = (s: string) => {
    const at = Math.min(caret.current, text.length);
    const next = text.slice(0, at) + s + text.slice(at);
    setText(next);
    caret.current = at + s.length;
    requestAnimationFrame(() => {
      const el = textarea();
      if (el) {
        el.focus();
        el.setSelectionRange(caret.current, caret.current);
      }
    });
  };

  // ---- sending
  const send = async () => {
    const body = text.trim();
    if (!body || sending) return;
    setSending(true);
    try {
      if (mode === 'reply') {
        stopTyping();
        const m = await post<Message>(`/api/v1/conversations/${conversation.id}/messages`, { text: body });
        onSent(m);
      } else {
        const mentions = mentionUsers.filter((u) => body.includes(`@${u.name}`)).map((u) => u.id);
        const n = await post<Note>(`/api/v1/conversations/${conversation.id}/notes`, {
          text: body,
          mentions,
        });
        onNote(n);
      }
      setText('');
      setSlash(null);
    } catch (e) {
      if (mode === 'note' && e instanceof ApiError && e.status === 404)
        fail(new Error(t('notes.unavailable')));
      else fail(e);
    } finally {
      setSending(false);
      focus();
    }
  };

  const upload = async (f: File) => {
    setSending(true);
    try {
      const form = new FormData();
      form.append('file', f, f.name);
      const att = await api<{ url: string; name: string; size: number; contentType: string }>(
        'POST',
        `/api/v1/conversations/${conversation.id}/attachments`,
        form,
      );
      const caption = text.trim();
      const m = await post<Message>(`/api/v1/conversations/${conversation.id}/messages`, {
        ...(caption && { text: caption }),
        contentType: att.contentType.startsWith('image/') ? 'image' : 'file',
        payload: att,
      });
      if (caption) setText('');
      onSent(m);
    } catch (e) {
      fail(e instanceof ApiError && e.status === 404 ? new Error(t('composer.uploadUnavailable')) : e);
    } finally {
      setSending(false);
      if (file.current) file.current.value = '';
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (slash && slashItems.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setCannedIndex((i) => (i + d + slashItems.length) % slashItems.length);
        return;
      }
      if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        const c = slashItems[cannedIndex];
        if (c) void pickCanned(c, { start: slash.start, end: caret.current });
        return;
      }
    }
    if (slash && e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setSlash(null);
      return;
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void send();
    }
  };
  const remember = (e: SyntheticEvent<HTMLTextAreaElement>) => {
    caret.current = e.currentTarget.selectionStart;
  };

  const note = mode === 'note';
  const placeholder = note ? t('composer.notePlaceholder') : t('composer.replyPlaceholder');
  const sendLabel = note ? t('composer.addNote') : t('composer.send');

  return (
    <section
      aria-label={t('composer.region')}
      className={note ? 'sb-note-mode' : undefined}
      style={{
        borderTop: '1px solid #f0f0f0',
        padding: '8px 12px 10px',
        background: note ? '#fffdf0' : '#fff',
        position: 'relative',
      }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 6 }}>
        <Segmented
          size="small"
          aria-label={t('composer.mode')}
          value={mode}
          onChange={(v) => onMode(v as ComposerMode)}
          options={[
            { value: 'reply', label: t('composer.reply') },
            {
              value: 'note',
              label: (
                <span>
                  <LockOutlined aria-hidden /> {t('composer.note')}
                </span>
              ),
            },
          ]}
        />
        <Typography.Text type="secondary" style={{ fontSize: 12, flex: 1, textAlign: 'right' }} ellipsis>
          {note ? t('composer.noteHint') : t('composer.replyHint')}
        </Typography.Text>
      </div>
      {slash && (
        <div
          style={{
            position: 'absolute',
            left: 12,
            right: 12,
            bottom: '100%',
            marginBottom: 4,
            background: '#fff',
            border: '1px solid #d9d9d9',
            borderRadius: 8,
            boxShadow: '0 6px 16px rgba(0,0,0,.12)',
            zIndex: 10,
          }}
        >
          <Typography.Text type="secondary" style={{ fontSize: 11, padding: '6px 10px 0', display: 'block' }}>
            {t('canned.slashHint')}
          </Typography.Text>
          <CannedList
            id={listId}
            items={slashItems}
            index={cannedIndex}
            onHover={setCannedIndex}
            onPick={(c) => void pickCanned(c, { start: slash.start, end: caret.current })}
          />
        </div>
      )}
      <div ref={box}>
        {note ? (
          <Mentions
            aria-label={t('composer.noteLabel')}
            data-testid="composer-input"
            value={text}
            placeholder={placeholder}
            autoSize={{ minRows: 2, maxRows: 6 }}
            options={mentionUsers.map((u) => ({ key: u.id, value: u.name, label: u.name }))}
            onChange={(v) => onChange(v, textarea())}
            onKeyDown={onKeyDown}
            onSelect={() => undefined}
            onBlur={() => {
              const el = textarea();
              if (el) caret.current = el.selectionStart;
            }}
            style={{ background: '#fffbe6' }}
          />
        ) : (
          <Input.TextArea
            aria-label={t('composer.replyLabel')}
            data-testid="composer-input"
            value={text}
            placeholder={placeholder}
            autoSize={{ minRows: 2, maxRows: 6 }}
            onChange={(e) => onChange(e.target.value, e.target)}
            onKeyDown={onKeyDown}
            onSelect={remember}
            onBlur={() => {
              setTimeout(() => setSlash(null), 150);
            }}
            aria-controls={slash ? listId : undefined}
            aria-activedescendant={slash && slashItems.length ? `${listId}-${cannedIndex}` : undefined}
            aria-keyshortcuts="Control+Enter Meta+Enter"
          />
        )}
      </div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 4, marginTop: 6 }}>
        {!note && (
          <>
            <Popover
              open={emojiOpen}
              onOpenChange={setEmojiOpen}
              trigger="click"
              placement="topLeft"
              content={
                <ul
                  aria-label={t('composer.emoji')}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                      e.preventDefault();
                      setEmojiOpen(false);
                      focus();
                    }
                  }}
                  style={{
                    display: 'grid',
                    gridTemplateColumns: 'repeat(8, 34px)',
                    gap: 2,
                    listStyle: 'none',
                    margin: 0,
                    padding: 0,
                  }}
                >
                  {EMOJI.map((e) => (
                    <li key={e}>
                      <button
                        type="button"
                        className="sb-emoji"
                        aria-label={t('composer.insertEmoji', { emoji: e })}
                        onClick={() => {
                          insert(e);
                          setEmojiOpen(false);
                        }}
                      >
                        {e}
                      </button>
                    </li>
                  ))}
                </ul>
              }
            >
              <Tooltip title={t('composer.emoji')}>
                <Button
                  type="text"
                  size="small"
                  aria-label={t('composer.emoji')}
                  icon={<SmileOutlined aria-hidden />}
                />
              </Tooltip>
            </Popover>
            <Tooltip title={t('composer.attach')}>
              <Button
                type="text"
                size="small"
                aria-label={t('composer.attach')}
                icon={<PaperClipOutlined aria-hidden />}
                onClick={() => file.current?.click()}
              />
            </Tooltip>
            <input
              ref={file}
              type="file"
              hidden
              aria-label={t('composer.attach')}
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void upload(f);
              }}
            />
            <Popover
              open={cannedPopover}
              onOpenChange={(o) => {
                setCannedPopover(o);
                if (o) {
                  canned.load();
                  setCannedSearch('');
                  setCannedIndex(0);
                }
              }}
              trigger="click"
              placement="topLeft"
              title={t('canned.title')}
              content={
                <div style={{ width: 360 }}>
                  <Input
                    size="small"
                    autoFocus
                    allowClear
                    aria-label={t('canned.search')}
                    placeholder={t('canned.search')}
                    value={cannedSearch}
                    onChange={(e) => {
                      setCannedSearch(e.target.value);
                      setCannedIndex(0);
                    }}
                    onKeyDown={(e) => {
                      const list = filterCanned(canned.items, cannedSearch);
                      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                        e.preventDefault();
                        const d = e.key === 'ArrowDown' ? 1 : -1;
                        setCannedIndex((i) => (i + d + Math.max(1, list.length)) % Math.max(1, list.length));
                      } else if (e.key === 'Enter') {
                        e.preventDefault();
                        const c = list[cannedIndex];
                        if (c) void pickCanned(c);
                      } else if (e.key === 'Escape') {
                        e.preventDefault();
                        setCannedPopover(false);
                        focus();
                      }
                    }}
                    aria-controls={`${listId}-pop`}
                    aria-activedescendant={`${listId}-pop-${cannedIndex}`}
                    style={{ marginBottom: 6 }}
                  />
                  <CannedList
                    id={`${listId}-pop`}
                    items={filterCanned(canned.items, cannedSearch)}
                    index={cannedIndex}
                    onHover={setCannedIndex}
                    onPick={(c) => void pickCanned(c)}
                  />
                </div>
              }
            >
              <Tooltip title={t('canned.open')}>
                <Button
                  type="text"
                  size="small"
                  aria-label={t('canned.open')}
                  icon={<ThunderboltOutlined aria-hidden />}
                />
              </Tooltip>
            </Popover>
          </>
        )}
        <div style={{ flex: 1 }} />
        <Button
          type="primary"
          icon={note ? <LockOutlined aria-hidden /> : <SendOutlined aria-hidden />}
          loading={sending}
          disabled={!text.trim()}
          onClick={() => void send()}
          aria-keyshortcuts="Control+Enter"
          style={note ? { background: '#d48806', borderColor: '#d48806' } : undefined}
        >
          {sendLabel}
        </Button>
      </div>
    </section>
  );
}
