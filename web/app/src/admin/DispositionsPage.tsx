// Disposition codes: how an agent records the outcome of a contact at wrap-up, labelled in both
// languages; a retired code is made inactive rather than deleted so old reports keep their label.
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Switch, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, patch, post } from '../shared/api';
import { EditModal, errorText, Missing, PageHead, RowActions, useList } from './common';

interface Disposition {
  id: string;
  code: string;
  labels: { en: string; 'zh-CN': string };
  active: boolean;
}
interface FormValues {
  code: string;
  en: string;
  zh: string;
  active: boolean;
}

const PATH = '/api/v1/disposition-codes';

export function DispositionsPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const list = useList<Disposition>(PATH, { paged: false });
  const [editing, setEditing] = useState<Disposition | 'new' | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<FormValues>();

  const open = (d: Disposition | 'new') => {
    setEditing(d);
    form.resetFields();
    if (d === 'new') form.setFieldsValue({ active: true });
    else form.setFieldsValue({ code: d.code, en: d.labels.en, zh: d.labels['zh-CN'], active: d.active });
  };
  const save = async () => {
    const v = await form.validateFields();
    const labels = { en: v.en, 'zh-CN': v.zh };
    setSaving(true);
    try {
      // A code is fixed once created; only its labels and whether it is active change.
      if (editing === 'new') await post(PATH, { code: v.code, labels, active: v.active });
      else if (editing) await patch(`${PATH}/${editing.id}`, { labels, active: v.active });
      void message.success(t('saved'));
      setEditing(null);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const toggle = async (d: Disposition, active: boolean) => {
    try {
      await patch(`${PATH}/${d.id}`, { active });
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };
  const remove = async (d: Disposition) => {
    try {
      await del(`${PATH}/${d.id}`);
      void message.success(t('deleted'));
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  return (
    <>
      <PageHead
        title={t('sections.dispositions')}
        description={t('dispositions.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} disabled={list.missing}>
            {t('dispositions.new')}
          </Button>
        }
      />
      {list.missing ? (
        <Missing path={PATH} />
      ) : (
        <div className="sb-admin-body">
          <Table<Disposition>
            size="middle"
            rowKey="id"
            loading={list.loading}
            dataSource={list.items}
            pagination={false}
            sticky
            columns={[
              {
                title: t('dispositions.code'),
                dataIndex: 'code',
                width: 180,
                render: (c: string) => <code>{c}</code>,
              },
              { title: t('dispositions.labelZh'), render: (_, d) => d.labels['zh-CN'] },
              { title: t('dispositions.labelEn'), render: (_, d) => d.labels.en },
              {
                title: t('dispositions.active'),
                width: 90,
                render: (_, d) => (
                  <Switch
                    size="small"
                    checked={d.active}
                    aria-label={t('dispositions.activeOf', { code: d.code })}
                    onChange={(on) => void toggle(d, on)}
                  />
                ),
              },
              {
                title: t('fields.actions'),
                width: 96,
                render: (_, d) => (
                  <RowActions
                    name={d.code}
                    onEdit={() => open(d)}
                    onDelete={() => remove(d)}
                    deleteConfirm={t('dispositions.deleteConfirm', { code: d.code })}
                  />
                ),
              },
            ]}
          />
        </div>
      )}
      <EditModal
        open={!!editing}
        title={editing === 'new' ? t('dispositions.new') : t('dispositions.edit')}
        saving={saving}
        onOk={save}
        onCancel={() => setEditing(null)}
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item
            name="code"
            label={t('dispositions.code')}
            extra={t('dispositions.codeHelp')}
            rules={[
              { required: true, message: t('required') },
              { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/, message: t('dispositions.codePattern') },
            ]}
          >
            <Input maxLength={50} placeholder="refund_done" disabled={editing !== 'new'} />
          </Form.Item>
          <Form.Item
            name="zh"
            label={t('dispositions.labelZh')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input maxLength={100} placeholder="已退款" />
          </Form.Item>
          <Form.Item
            name="en"
            label={t('dispositions.labelEn')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input maxLength={100} placeholder="Refunded" />
          </Form.Item>
          <Form.Item name="active" label={t('dispositions.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </EditModal>
    </>
  );
}
