// Canned responses in the composer: loaded once, when first wanted, in the agent's language; found by
// shortcut, title or body; picked from a list the keyboard drives, under a "/" typed in the reply or in
// the popover of the toolbar's button. Their state is the composer's (useCannedPicker), so that
// switching to a note and back leaves it as it was.
import { ThunderboltOutlined } from '@ant-design/icons';
import { Button, Input, Popover, Tooltip, Typography } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, post } from '../shared/api';
import { currentLanguage } from '../shared/i18n';
import type { CannedResponse } from './model';

/** Variables a canned response may use, filled here when the server cannot render it. */
function renderLocally(body: string, vars: Record<string, string>): string {
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (all, k: string) => vars[k] ?? all);
}

/** The response's text in this conversation: rendered by the server, or here when it cannot. */
export async function renderCanned(
  c: CannedResponse,
  conversationId: string,
  vars: () => Record<string, string>,
): Promise<string> {
  try {
    return (
      await post<{ text: string; unknown?: string[] }>(`/api/v1/canned-responses/${c.id}/render`, {
        conversationId,
      })
    ).text;
  } catch {
    return renderLocally(c.body, vars());
  }
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

/**
 * Both pickers' state: the "/" being typed (where it starts, what follows it) and the responses it
 * matches, whether the popover is open and what it searches, and the option highlighted in either.
 */
export function useCannedPicker() {
  const { items, load } = useCanned();
  const [slash, setSlash] = useState<{ start: number; query: string } | null>(null);
  const [index, setIndex] = useState(0);
  const [popover, setPopover] = useState(false);
  const [search, setSearch] = useState('');
  const slashItems = slash ? filterCanned(items, slash.query) : [];
  return {
    items,
    load,
    slash,
    setSlash,
    slashItems,
    index,
    setIndex,
    popover,
    setPopover,
    search,
    setSearch,
  };
}

export type CannedPicker = ReturnType<typeof useCannedPicker>;

/** The responses matching what follows the "/", above the reply box. */
export function SlashMenu({
  listId,
  picker: { slashItems, index, setIndex },
  onPick,
}: {
  listId: string;
  picker: CannedPicker;
  onPick(c: CannedResponse): void;
}) {
  const { t } = useTranslation('agent');
  return (
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
      <CannedList id={listId} items={slashItems} index={index} onHover={setIndex} onPick={onPick} />
    </div>
  );
}

/** The toolbar's button for the responses, and its popover: a search over all of them and their list. */
export function CannedPopover({
  listId,
  picker: { items, load, popover, setPopover, search, setSearch, index, setIndex },
  onPick,
  onEscape,
}: {
  listId: string;
  picker: CannedPicker;
  onPick(c: CannedResponse): void;
  /** After Escape closed the popover (the focus goes back to the reply). */
  onEscape(): void;
}) {
  const { t } = useTranslation('agent');
  return (
    <Popover
      open={popover}
      onOpenChange={(o) => {
        setPopover(o);
        if (o) {
          load();
          setSearch('');
          setIndex(0);
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
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setIndex(0);
            }}
            onKeyDown={(e) => {
              const list = filterCanned(items, search);
              if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                e.preventDefault();
                const d = e.key === 'ArrowDown' ? 1 : -1;
                setIndex((i) => (i + d + Math.max(1, list.length)) % Math.max(1, list.length));
              } else if (e.key === 'Enter') {
                e.preventDefault();
                const c = list[index];
                if (c) onPick(c);
              } else if (e.key === 'Escape') {
                e.preventDefault();
                setPopover(false);
                onEscape();
              }
            }}
            aria-controls={`${listId}-pop`}
            aria-activedescendant={`${listId}-pop-${index}`}
            style={{ marginBottom: 6 }}
          />
          <CannedList
            id={`${listId}-pop`}
            items={filterCanned(items, search)}
            index={index}
            onHover={setIndex}
            onPick={onPick}
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
  );
}
