// Skills: what agents are good at (with a proficiency each, set under Users) and queues require.
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Table } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, patch, post } from '../shared/api';
import { EditModal, errorText, PageHead, RowActions, useList } from './common';
import type { Skill } from './QueuesPage';

export function SkillsPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const list = useList<Skill>('/api/v1/skills');
  const [editing, setEditing] = useState<Skill | 'new' | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ name: string; description?: string }>();

  const open = (s: Skill | 'new') => {
    setEditing(s);
    form.resetFields();
    if (s !== 'new') form.setFieldsValue(s);
  };
  const save = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      const body = { name: v.name, description: v.description ?? '' };
      if (editing === 'new') await post('/api/v1/skills', body);
      else if (editing) await patch(`/api/v1/skills/${editing.id}`, body);
      void message.success(t('saved'));
      setEditing(null);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (s: Skill) => {
    try {
      await del(`/api/v1/skills/${s.id}`);
      void message.success(t('deleted'));
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  return (
    <>
      <PageHead
        title={t('sections.skills')}
        description={t('skills.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>
            {t('skills.new')}
          </Button>
        }
      />
      <div className="sb-admin-body">
        <Table<Skill>
          size="middle"
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={false}
          sticky
          columns={[
            { title: t('fields.name'), dataIndex: 'name', width: 240 },
            { title: t('fields.description'), dataIndex: 'description', ellipsis: true },
            {
              title: t('fields.actions'),
              width: 96,
              render: (_, s) => (
                <RowActions
                  name={s.name}
                  onEdit={() => open(s)}
                  onDelete={() => remove(s)}
                  deleteConfirm={t('skills.deleteConfirm', { name: s.name })}
                />
              ),
            },
          ]}
        />
      </div>
      <EditModal
        open={!!editing}
        title={editing === 'new' ? t('skills.new') : t('skills.edit')}
        saving={saving}
        onOk={save}
        onCancel={() => setEditing(null)}
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item
            name="name"
            label={t('fields.name')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input maxLength={100} placeholder={t('skills.namePlaceholder')} />
          </Form.Item>
          <Form.Item name="description" label={t('fields.description')}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={1000} />
          </Form.Item>
        </Form>
      </EditModal>
    </>
  );
}
