// What every admin page shares: list loading (a missing endpoint is told apart from an error),
// the page header, copy-to-clipboard, a table row's edit/delete buttons, the edit dialog, and errors
// shown the one way.
import { CopyOutlined, DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Popconfirm, Space, Tooltip, Typography } from 'antd';
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get } from '../shared/api';

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Every item of a list endpoint: a plain array, `{items}`, or cursor pages. */
export async function getAll<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null | undefined;
  const sep = path.includes('?') ? '&' : '?';
  for (let i = 0; i < 50; i++) {
    const res = await get<T[] | { items: T[]; nextCursor?: string | null }>(
      `${path}${sep}limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    if (Array.isArray(res)) return res;
    out.push(...res.items);
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export interface ListState<T> {
  items: T[];
  loading: boolean;
  /** The server has no such endpoint (yet): the page says so instead of failing. */
  missing: boolean;
  reload(): Promise<void>;
}

/**
 * A list endpoint's items. `paged` (the default) follows cursor pages with limit=200; otherwise one
 * GET whose answer is an array or `{items}` (endpoints that take no paging parameters).
 */
export function useList<T>(path: string | null, options: { paged?: boolean } = {}): ListState<T> {
  const { message } = App.useApp();
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(!!path);
  const [missing, setMissing] = useState(false);
  const paged = options.paged ?? true;
  const reload = useCallback(async () => {
    if (!path) return;
    setLoading(true);
    try {
      let list: T[];
      if (paged) list = await getAll<T>(path);
      else {
        const res = await get<T[] | { items: T[] }>(path);
        list = Array.isArray(res) ? res : res.items;
      }
      setItems(list);
      setMissing(false);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 405)) setMissing(true);
      else void message.error(errorText(e));
    } finally {
      setLoading(false);
    }
  }, [path, paged, message]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { items, loading, missing, reload };
}

/** Title, a line of explanation and the page's actions, above its content. */
export function PageHead({
  title,
  description,
  extra,
}: {
  title: string;
  description?: ReactNode;
  extra?: ReactNode;
}) {
  return (
    <div className="sb-admin-head">
      <div style={{ minWidth: 0 }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {description && (
          <Typography.Text type="secondary" style={{ fontSize: 13 }}>
            {description}
          </Typography.Text>
        )}
      </div>
      <div className="sb-admin-head-extra">{extra}</div>
    </div>
  );
}

/** Shown in place of a page whose API the server does not have yet. */
export function Missing({ path }: { path: string }) {
  const { t } = useTranslation('admin');
  return (
    <Alert type="warning" showIcon title={t('missing.title')} description={t('missing.body', { path })} />
  );
}

async function writeClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}

export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  return (
    <Tooltip title={label}>
      <Button
        size="small"
        icon={<CopyOutlined />}
        aria-label={label}
        data-testid={testId}
        onClick={() => void writeClipboard(text).then(() => message.success(t('copied')))}
      />
    </Tooltip>
  );
}

/** A value in monospace with a copy button beside it. */
export function Copyable({ text, label, testId }: { text: string; label: string; testId?: string }) {
  return (
    <div className="sb-copyable">
      <code data-testid={testId}>{text}</code>
      <CopyButton text={text} label={label} {...(testId && { testId: `${testId}-copy` })} />
    </div>
  );
}

/** The label of a server-described field in the UI's language. */
export function localized(label: { en: string; 'zh-CN': string } | string | undefined, lang: string): string {
  if (!label) return '';
  if (typeof label === 'string') return label;
  return lang === 'zh-CN' ? label['zh-CN'] || label.en : label.en || label['zh-CN'];
}

/**
 * A table row's actions: `extra` buttons first, then edit (labelled `editOf`) and, with `onDelete`,
 * delete behind a confirmation (labelled `deleteOf`).
 */
export function RowActions({
  name,
  onEdit,
  onDelete,
  deleteConfirm,
  editTitle,
  extra,
}: {
  name: string;
  onEdit: () => void;
  onDelete?: () => unknown;
  deleteConfirm?: string;
  /** The edit button's tooltip; "Edit" when absent. */
  editTitle?: string;
  extra?: ReactNode;
}) {
  const { t } = useTranslation('admin');
  return (
    <Space size={2}>
      {extra}
      <Tooltip title={editTitle ?? t('edit')}>
        <Button
          type="text"
          size="small"
          icon={<EditOutlined />}
          aria-label={t('editOf', { name })}
          onClick={onEdit}
        />
      </Tooltip>
      {onDelete && (
        <Popconfirm
          title={deleteConfirm}
          okText={t('delete')}
          cancelText={t('cancel')}
          onConfirm={() => onDelete()}
        >
          <Button
            type="text"
            size="small"
            danger
            icon={<DeleteOutlined />}
            aria-label={t('deleteOf', { name })}
          />
        </Popconfirm>
      )}
    </Space>
  );
}

/** The dialog that creates or edits one item: Save (or `okText`) and Cancel, content dropped on close. */
export function EditModal({
  open,
  title,
  saving,
  onOk,
  onCancel,
  okText,
  width,
  children,
}: {
  open: boolean;
  title: ReactNode;
  saving: boolean;
  onOk: () => unknown;
  onCancel: () => void;
  okText?: string;
  width?: number;
  children: ReactNode;
}) {
  const { t } = useTranslation('admin');
  return (
    <Modal
      open={open}
      title={title}
      okText={okText ?? t('save')}
      cancelText={t('cancel')}
      confirmLoading={saving}
      onOk={() => void onOk()}
      onCancel={onCancel}
      {...(width !== undefined && { width })}
      destroyOnHidden
    >
      {children}
    </Modal>
  );
}
