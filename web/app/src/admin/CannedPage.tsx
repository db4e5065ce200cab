// Canned responses: ready answers agents insert by shortcut, per language, with variables that are
// filled in when used ({{customer.name}} and the others, inserted from chips at the cursor).
import { PlusOutlined, SearchOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Select, Table, Tag, Typography } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, patch, post } from '../shared/api';
import { EditModal, errorText, Missing, PageHead, RowActions, useList } from './common';

interface Canned {
  id: string;
  title: string;
  shortcut: string;
  body: string;
  language: 'zh-CN' | 'en' | null;
}

const PATH = '/api/v1/canned-responses';
const VARIABLES = ['customer.name', 'customer.firstName', 'agent.name', 'conversation.id', 'tenant.name'];
const LANGS = ['zh-CN', 'en'];
/** The form's value for "any language" (null on the wire). */
const ANY = 'any';

export function CannedPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [lang, setLang] = useState<string | undefined>();
  const params = new URLSearchParams({
    ...(query && { q: query }),
    ...(lang && { language: lang }),
  }).toString();
  const list = useList<Canned>(`${PATH}${params ? `?${params}` : ''}`, { paged: false });
  const [editing, setEditing] = useState<Canned | 'new' | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<Omit<Canned, 'id' | 'language'> & { language: string }>();
  const body = useRef<TextAreaRef>(null);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.trim()), 300);
    return () => clearTimeout(timer);
  }, [q]);

  const open = (c: Canned | 'new') => {
    setEditing(c);
    form.resetFields();
    form.setFieldsValue(
      c === 'new'
        ? { language: 'zh-CN', body: '', title: '', shortcut: '' }
        : { ...c, language: c.language ?? ANY },
    );
  };
  const insert = (variable: string) => {
    const el = body.current?.resizableTextArea?.textArea;
    const text = `{{${variable}}}`;
    const current = (form.getFieldValue('body') as string | undefined) ?? '';
    const start = el?.selectionStart ?? current.length;
    const end = el?.selectionEnd ?? current.length;
    form.setFieldValue('body', current.slice(0, start) + text + current.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + text.length, start + text.length);
    });
  };
  const save = async () => {
    const v = await form.validateFields();
    const payload = { ...v, language: v.language === ANY ? null : v.language };
    setSaving(true);
    try {
      if (editing === 'new') await post(PATH, payload);
      else if (editing) await patch(`${PATH}/${editing.id}`, payload);
      void message.success(t('saved'));
      setEditing(null);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (c: Canned) => {
    try {
      await del(`${PATH}/${c.id}`);
      void message.success(t('deleted'));
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  return (
    <>
      <PageHead
        title={t('sections.canned')}
        description={t('canned.description')}
        extra={
          <>
            <Input
              allowClear
              prefix={<SearchOutlined />}
              placeholder={t('canned.search')}
              aria-label={t('canned.search')}
              value={q}
              onChange={(e) => setQ(e.target.value)}
              style={{ width: 220 }}
              disabled={list.missing}
            />
            <Select
              allowClear
              aria-label={t('canned.language')}
              placeholder={t('canned.allLanguages')}
              value={lang}
              onChange={setLang}
              style={{ width: 140 }}
              options={LANGS.map((l) => ({ value: l, label: t(`common:languages.${l}`) }))}
              disabled={list.missing}
            />
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => open('new')}
              disabled={list.missing}
            >
              {t('canned.new')}
            </Button>
          </>
        }
      />
      {list.missing ? (
        <Missing path={PATH} />
      ) : (
        <div className="sb-admin-body">
          <Table<Canned>
            size="middle"
            rowKey="id"
            loading={list.loading}
            dataSource={list.items}
            pagination={false}
            sticky
            columns={[
              { title: t('canned.title'), dataIndex: 'title', width: 200, ellipsis: true },
              {
                title: t('canned.shortcut'),
                dataIndex: 'shortcut',
                width: 130,
                render: (s: string) => <code>/{s.replace(/^\//, '')}</code>,
              },
              {
                title: t('canned.language'),
                dataIndex: 'language',
                width: 110,
                render: (l: string | null) => (
                  <Tag variant="filled">
                    {l && LANGS.includes(l) ? t(`common:languages.${l}`) : t('canned.anyLanguage')}
                  </Tag>
                ),
              },
              {
                title: t('canned.body'),
                dataIndex: 'body',
                ellipsis: true,
                render: (b: string) => (
                  <Typography.Text type="secondary" ellipsis>
                    {b}
                  </Typography.Text>
                ),
              },
              {
                title: t('fields.actions'),
                width: 96,
                render: (_, c) => (
                  <RowActions
                    name={c.title}
                    onEdit={() => open(c)}
                    onDelete={() => remove(c)}
                    deleteConfirm={t('canned.deleteConfirm', { name: c.title })}
                  />
                ),
              },
            ]}
          />
        </div>
      )}
      <EditModal
        open={!!editing}
        title={editing === 'new' ? t('canned.new') : t('canned.edit')}
        saving={saving}
        onOk={save}
        onCancel={() => setEditing(null)}
        width={620}
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) 150px 130px', gap: 12 }}>
            <Form.Item
              name="title"
              label={t('canned.title')}
              rules={[{ required: true, message: t('required') }]}
            >
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item
              name="shortcut"
              label={t('canned.shortcut')}
              rules={[
                { required: true, message: t('required') },
                { pattern: /^\/?[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/, message: t('canned.shortcutPattern') },
              ]}
            >
              <Input maxLength={51} placeholder="refund" prefix="/" />
            </Form.Item>
            <Form.Item name="language" label={t('canned.language')}>
              <Select
                options={[
                  ...LANGS.map((l) => ({ value: l, label: t(`common:languages.${l}`) })),
                  { value: ANY, label: t('canned.anyLanguage') },
                ]}
              />
            </Form.Item>
          </div>
          <fieldset className="sb-var-chips" aria-label={t('canned.variables')}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('canned.variables')}
            </Typography.Text>
            {VARIABLES.map((v) => (
              <Button
                key={v}
                size="small"
                onClick={() => insert(v)}
                data-testid={`canned-var-${v}`}
                aria-label={t('canned.insert', { variable: t(`canned.var.${v}`) })}
              >
                {t(`canned.var.${v}`)}
              </Button>
            ))}
          </fieldset>
          <Form.Item
            name="body"
            label={t('canned.body')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input.TextArea ref={body} autoSize={{ minRows: 4, maxRows: 10 }} maxLength={5000} showCount />
          </Form.Item>
        </Form>
      </EditModal>
    </>
  );
}
