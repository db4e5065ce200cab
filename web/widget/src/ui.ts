import type { ChatMessage } from './client.js';
import type { Strings } from './i18n.js';
import { RhythmRecorder, type RhythmSample } from './rhythm.js';
import { css } from './styles.js';

/**
 * The widget's DOM, all inside one open shadow root: a round launcher and a panel with the
 * message list, a typing line and the composer. Message text is only ever set as textContent.
 */
export interface ViewActions {
  send(text: string, rhythm?: RhythmSample): void;
  file(file: File): void;
  typing(): void;
  read(ids: string[]): void;
}

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 2-2z"/></svg>';
const CLIP_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z"/></svg>';

const TYPING_SHOWN_MS = 6000;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function timeOf(iso: string): string {
  const d = iso ? new Date(iso) : new Date();
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export class ChatView {
  private readonly panel: HTMLElement;
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly rhythm = new RhythmRecorder();
  private readonly typingLine: HTMLElement;
  private readonly status: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly byKey = new Map<string, { node: HTMLElement; msg: ChatMessage }>();
  private readonly unread = new Set<string>();
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly t: Strings,
    options: { title?: string | undefined; color: string },
    private readonly actions: ViewActions,
  ) {
    const host = el('div');
    host.setAttribute('data-switchboard-chat', '');
    const root = host.attachShadow({ mode: 'open' });
    const style = el('style');
    style.textContent = css(options.color);

    const launcher = el('button', 'launcher');
    launcher.type = 'button';
    launcher.setAttribute('aria-label', t.open);
    launcher.innerHTML = CHAT_ICON;
    this.badge = el('span', 'badge');
    launcher.append(this.badge);

    this.panel = el('section', 'panel');
    this.panel.hidden = true;
    this.panel.setAttribute('role', 'dialog');
    this.panel.setAttribute('aria-label', options.title || t.title);
    const header = el('header');
    const close = el('button', 'close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', t.close);
    header.append(el('h2', undefined, options.title || t.title), close);
    this.status = el('div', 'status', t.reconnecting);
    this.status.hidden = true;
    this.list = el('div', 'list');
    this.list.setAttribute('role', 'log');
    this.empty = el('p', 'empty', t.empty);
    this.list.append(this.empty);
    this.typingLine = el('div', 'typing', t.typing);
    this.typingLine.hidden = true;

    const form = el('form');
    const picker = el('input');
    picker.type = 'file';
    picker.accept = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain';
    const attach = el('button', 'attach');
    attach.type = 'button';
    attach.setAttribute('aria-label', t.attach);
    attach.title = t.attach;
    attach.innerHTML = CLIP_ICON;
    this.input = el('textarea');
    this.input.rows = 1;
    this.input.placeholder = t.placeholder;
    this.input.setAttribute('aria-label', t.placeholder);
    const send = el('button', 'send', t.send);
    send.type = 'submit';
    form.append(picker, attach, this.input, send);
    this.panel.append(header, this.status, this.list, this.typingLine, form);
    root.append(style, launcher, this.panel);
    document.body.append(host);

    launcher.addEventListener('click', () => (this.panel.hidden ? this.open() : this.close()));
    close.addEventListener('click', () => this.close());
    attach.addEventListener('click', () => picker.click());
    picker.addEventListener('change', () => {
      const file = picker.files?.[0];
      picker.value = '';
      if (file) actions.file(file);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = '';
      actions.send(text, this.rhythm.take());
    });
    this.input.addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter and IME composition (pinyin) do not.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    this.input.addEventListener('input', () => actions.typing());
    this.rhythm.attach(this.input);
  }

  open(): void {
    this.panel.hidden = false;
    this.input.focus();
    this.list.scrollTop = this.list.scrollHeight;
    this.markRead();
  }

  close(): void {
    this.panel.hidden = true;
  }

  setOnline(online: boolean): void {
    this.status.hidden = online;
  }

  notice(text: string): void {
    this.upsert({ direction: 'in', text, status: 'failed', createdAt: new Date().toISOString() });
  }

  /** The agent's typing line: until they stop, their message arrives, or 6 s without a refresh. */
  showTyping(on: boolean): void {
    clearTimeout(this.typingTimer);
    this.typingLine.hidden = !on;
    if (on) {
      this.typingTimer = setTimeout(() => {
        this.typingLine.hidden = true;
      }, TYPING_SHOWN_MS);
    }
  }

  upsert(m: ChatMessage): void {
    const known = (m.id && this.byKey.get(m.id)) || (m.clientId && this.byKey.get(m.clientId)) || undefined;
    if (known) {
      known.msg = { ...known.msg, ...m, text: m.text || known.msg.text, media: m.media ?? known.msg.media };
      if (m.id) this.byKey.set(m.id, known);
      this.render(known.node, known.msg);
      return;
    }
    const node = el('div');
    const entry = { node, msg: m };
    if (m.id) this.byKey.set(m.id, entry);
    if (m.clientId) this.byKey.set(m.clientId, entry);
    this.render(node, m);
    this.empty.remove();
    this.list.append(node);
    if (m.direction === 'out') {
      clearTimeout(this.typingTimer);
      this.typingLine.hidden = true;
      if (m.id && m.status !== 'read') this.unread.add(m.id);
      this.markRead();
    }
    this.list.scrollTop = this.list.scrollHeight;
  }

  update(clientId: string, status: string, id?: string): void {
    const known = this.byKey.get(clientId);
    if (known) this.upsert({ ...known.msg, status, ...(id && { id }) });
  }

  private markRead(): void {
    this.badge.textContent = this.unread.size ? String(this.unread.size) : '';
    if (this.panel.hidden || document.visibilityState === 'hidden' || !this.unread.size) return;
    this.actions.read([...this.unread]);
    this.unread.clear();
    this.badge.textContent = '';
  }

  private render(node: HTMLElement, m: ChatMessage): void {
    node.className = `msg ${m.direction}${m.status === 'failed' ? ' failed' : ''}`;
    const bubble = el('div', 'bubble');
    for (const media of m.media ?? []) {
      if (!media.url || !/^https?:/.test(media.url)) continue;
      if (media.kind === 'image') {
        const img = el('img');
        img.src = media.url;
        img.alt = media.filename ?? '';
        bubble.append(img);
      } else {
        const a = el('a', undefined, media.filename || media.url);
        a.href = media.url;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        bubble.append(a);
      }
    }
    if (m.text) bubble.append(document.createTextNode(m.text));
    const state = m.status === 'pending' ? ' · …' : m.status === 'failed' ? ` · ${this.t.failed}` : '';
    const meta = el('div', 'meta', `${timeOf(m.createdAt)}${state}`);
    node.replaceChildren(bubble, meta);
  }
}
