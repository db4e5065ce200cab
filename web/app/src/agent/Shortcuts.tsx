// The workspace's keyboard shortcuts: one table (shown by `?`) and one window listener. Keys are
// matched by their physical code so Alt+letter works on macOS too (where Alt types a symbol).
import { Modal, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export type Action =
  | 'accept'
  | 'reject'
  | 'send'
  | 'note'
  | 'wrapUp'
  | 'transfer'
  | 'prev'
  | 'next'
  | 'panel'
  | 'presence'
  | 'inbox'
  | 'canned'
  | 'help'
  | 'close';

export const SHORTCUTS: { action: Action; keys: string[] }[] = [
  { action: 'accept', keys: ['Alt', 'A'] },
  { action: 'reject', keys: ['Alt', 'R'] },
  { action: 'send', keys: ['Ctrl/⌘', 'Enter'] },
  { action: 'note', keys: ['Alt', 'N'] },
  { action: 'canned', keys: ['/'] },
  { action: 'wrapUp', keys: ['Alt', 'W'] },
  { action: 'transfer', keys: ['Alt', 'T'] },
  { action: 'prev', keys: ['Alt', '↑'] },
  { action: 'next', keys: ['Alt', '↓'] },
  { action: 'inbox', keys: ['Alt', 'I'] },
  { action: 'presence', keys: ['Alt', 'S'] },
  { action: 'panel', keys: ['Alt', 'P'] },
  { action: 'help', keys: ['?'] },
];

const BY_CODE: Record<string, Action> = {
  KeyA: 'accept',
  KeyR: 'reject',
  KeyN: 'note',
  KeyW: 'wrapUp',
  KeyT: 'transfer',
  ArrowUp: 'prev',
  ArrowDown: 'next',
  KeyP: 'panel',
  KeyS: 'presence',
  KeyI: 'inbox',
};

const typingInto = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

/** Calls `on(action)` for the workspace's shortcuts; returns true from `on` to say it was handled. */
export function useShortcuts(on: (a: Action) => boolean, enabled = true): void {
  const ref = useRef(on);
  ref.current = on;
  useEffect(() => {
    if (!enabled) return;
    const handler = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      // Escape closes the workspace's dialog wherever the focus is (Ant Design's own handling gives
      // way to any tooltip or popover opened after the dialog). An open dropdown takes it first.
      if (e.key === 'Escape') {
        if (ref.current('close')) e.preventDefault();
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const a = BY_CODE[e.code];
        if (a && ref.current(a)) e.preventDefault();
        return;
      }
      if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey && !typingInto(e.target)) {
        if (ref.current('help')) e.preventDefault();
      }
    };
    window.addEventListener('keydown', handler);
    return () => window.removeEventListener('keydown', handler);
  }, [enabled]);
}

function Kbd({ children }: { children: string }) {
  return (
    <kbd
      style={{
        display: 'inline-block',
        minWidth: 22,
        padding: '1px 6px',
        border: '1px solid #d9d9d9',
        borderBottomWidth: 2,
        borderRadius: 4,
        background: '#fafafa',
        fontSize: 12,
        fontFamily: 'ui-monospace, monospace',
        textAlign: 'center',
      }}
    >
      {children}
    </kbd>
  );
}

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useTranslation('agent');
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('shortcuts.title')} width={460}>
      <table style={{ width: '100%', borderCollapse: 'collapse' }} aria-label={t('shortcuts.title')}>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action} style={{ borderBottom: '1px solid #f5f5f5' }}>
              <td style={{ padding: '6px 0' }}>{t(`shortcuts.${s.action}`)}</td>
              <td style={{ padding: '6px 0', textAlign: 'right', whiteSpace: 'nowrap' }}>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && <span style={{ margin: '0 4px', color: '#bfbfbf' }}>+</span>}
                    <Kbd>{k}</Kbd>
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
        {t('shortcuts.footer')}
      </Typography.Paragraph>
    </Modal>
  );
}
