/**
 * Switchboard web chat widget. Embed with
 *   <script src="https://<switchboard>/widget.js" data-channel="<channel id>" async></script>
 * Optional: data-locale="zh-CN"|"en" (default: the browser's language), data-title, data-color.
 * `window.SwitchboardChat.open()` / `.close()` open and close the panel from the host page.
 */
import { ChatClient } from './client.js';
import { pickLocale, stringsFor } from './i18n.js';
import { ChatView } from './ui.js';

declare global {
  interface Window {
    SwitchboardChat?: { open(): void; close(): void };
  }
}

function ownScript(): HTMLScriptElement | undefined {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.channel) return current;
  return document.querySelector<HTMLScriptElement>('script[data-channel][src*="widget.js"]') ?? undefined;
}

function start(script: HTMLScriptElement): void {
  const channel = script.dataset.channel;
  if (!channel || window.SwitchboardChat) return;
  const base = new URL(script.src, location.href).origin;
  const t = stringsFor(pickLocale(script.dataset.locale, navigator.language));
  const color = /^#[0-9a-f]{3,8}$/i.test(script.dataset.color ?? '')
    ? (script.dataset.color as string)
    : '#0b6bcb';
  let client: ChatClient | undefined;
  const view = new ChatView(
    t,
    { title: script.dataset.title, color },
    {
      send: (text, rhythm) => client?.send(text, rhythm),
      file: (file) =>
        void client
          ?.sendFile(file)
          .catch((err: Error) => view.notice(err.message === 'tooLarge' ? t.tooLarge : t.uploadFailed)),
      typing: () => client?.typing(),
      read: (ids) => client?.read(ids),
    },
  );
  client = new ChatClient(base, channel, {
    message: (m) => view.upsert(m),
    update: (clientId, status, id) => view.update(clientId, status, id),
    typing: (on) => view.showTyping(on),
    connection: (online) => view.setOnline(online),
  });
  window.SwitchboardChat = { open: () => view.open(), close: () => view.close() };
  const boot = (retryMs: number) => {
    client?.start().catch(() => {
      view.setOnline(false);
      setTimeout(() => boot(Math.min(retryMs * 2, 60_000)), retryMs);
    });
  };
  boot(2000);
}

const script = ownScript();
if (script) {
  if (document.body) start(script);
  else document.addEventListener('DOMContentLoaded', () => start(script), { once: true });
}
