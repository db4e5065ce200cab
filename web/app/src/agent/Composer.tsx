// Replying on the customer's channel (text, emoji, files, canned responses with variables) or
// writing an internal note with @mentions. Ctrl/⌘+Enter sends; "/" opens the canned responses.
import { LockOutlined, SendOutlined } from '@ant-design/icons';
import { Button, Input, Mentions, Segmented, Typography } from 'antd';
import {
  type KeyboardEvent,
  type Ref,
  type SyntheticEvent,
  useImperativeHandle,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, post } from '../shared/api';
import type { Me } from '../shared/auth';
import { AttachButton } from './AttachButton';
import { CannedPopover, renderCanned, SlashMenu, useCannedPicker } from './CannedResponses';
import { EmojiPicker } from './EmojiPicker';
import { useFail } from './hooks';
import type { CannedResponse, Conversation, Customer, Message, Note } from './model';
import { useTypingIndicator } from './typing';

export type ComposerMode = 'reply' | 'note';

export interface ComposerHandle {
  focus(): void;
  toggleMode(): void;
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
  const caret = useRef(0);
  const canned = useCannedPicker();
  const { slash, setSlash, slashItems } = canned;
  const [emojiOpen, setEmojiOpen] = useState(false);
  const listId = `canned-${conversation.id}`;

  const textarea = () => box.current?.querySelector('textarea') ?? null;
  const focus = () => {
    const el = textarea();
    el?.focus();
  };
  useImperativeHandle(ref, () => ({ focus, toggleMode: () => onMode(mode === 'reply' ? 'note' : 'reply') }));

  // ---- the agent's typing, sent to the customer (typing.ts)
  const { typed, stopTyping } = useTypingIndicator(conversation.id, mode);

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
    canned.setPopover(false);
    const rendered = await renderCanned(c, conversation.id, cannedVars);
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
        canned.setIndex(0);
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
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (slash && slashItems.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        canned.setIndex((i) => (i + d + slashItems.length) % slashItems.length);
        return;
      }
      if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        const c = slashItems[canned.index];
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
        <SlashMenu
          listId={listId}
          picker={canned}
          onPick={(c) => void pickCanned(c, { start: slash.start, end: caret.current })}
        />
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
            aria-activedescendant={slash && slashItems.length ? `${listId}-${canned.index}` : undefined}
            aria-keyshortcuts="Control+Enter Meta+Enter"
          />
        )}
      </div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 4, marginTop: 6 }}>
        {!note && (
          <>
            <EmojiPicker open={emojiOpen} onOpenChange={setEmojiOpen} onPick={insert} onEscape={focus} />
            <AttachButton onFile={upload} />
            <CannedPopover
              listId={listId}
              picker={canned}
              onPick={(c) => void pickCanned(c)}
              onEscape={focus}
            />
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
