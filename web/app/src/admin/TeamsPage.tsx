// Teams and their members (routing rules can read `agent.teams`; supervisors look after a team).
import { PlusOutlined, UsergroupAddOutlined } from '@ant-design/icons';
import { App, Button, Form, Input, Select, Table, Tag, Tooltip } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, get, patch, post, put } from '../shared/api';
import { EditModal, errorText, PageHead, RowActions, useList } from './common';
import type { User } from './UsersPage';

interface Team {
  id: string;
  name: string;
  createdAt: string;
}
interface TeamDetail extends Team {
  memberIds: string[];
}

export function TeamsPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const list = useList<Team>('/api/v1/teams');
  const users = useList<User>('/api/v1/users');
  const [members, setMembers] = useState<Map<string, string[]>>(new Map());
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [staffing, setStaffing] = useState<Team | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<{ name: string }>();
  const userName = (id: string) => {
    const u = users.items.find((x) => x.id === id);
    return u ? u.displayName || u.email : id.slice(0, 8);
  };

  const loadMembers = useCallback(async (teams: Team[]) => {
    const details = await Promise.all(
      teams.map((x) => get<TeamDetail>(`/api/v1/teams/${x.id}`).catch(() => ({ ...x, memberIds: [] }))),
    );
    setMembers(new Map(details.map((d) => [d.id, d.memberIds])));
  }, []);
  useEffect(() => {
    void loadMembers(list.items);
  }, [list.items, loadMembers]);

  const open = (x: Team | 'new') => {
    setEditing(x);
    form.resetFields();
    if (x !== 'new') form.setFieldsValue({ name: x.name });
  };
  const save = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      if (editing === 'new') await post('/api/v1/teams', { name: v.name });
      else if (editing) await patch(`/api/v1/teams/${editing.id}`, { name: v.name });
      void message.success(t('saved'));
      setEditing(null);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const saveMembers = async () => {
    if (!staffing) return;
    setSaving(true);
    try {
      await put(`/api/v1/teams/${staffing.id}/members`, { userIds: picked });
      void message.success(t('saved'));
      setStaffing(null);
      await loadMembers(list.items);
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (x: Team) => {
    try {
      await del(`/api/v1/teams/${x.id}`);
      void message.success(t('deleted'));
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  return (
    <>
      <PageHead
        title={t('sections.teams')}
        description={t('teams.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')}>
            {t('teams.new')}
          </Button>
        }
      />
      <div className="sb-admin-body">
        <Table<Team>
          size="middle"
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={false}
          sticky
          columns={[
            { title: t('fields.name'), dataIndex: 'name', width: 240 },
            {
              title: t('teams.members'),
              render: (_, x) => {
                const ids = members.get(x.id) ?? [];
                return ids.length ? (
                  <>
                    {ids.slice(0, 8).map((id) => (
                      <Tag key={id} variant="filled">
                        {userName(id)}
                      </Tag>
                    ))}
                    {ids.length > 8 && <Tag variant="filled">+{ids.length - 8}</Tag>}
                  </>
                ) : (
                  <span style={{ color: '#8a9099' }}>{t('teams.noMembers')}</span>
                );
              },
            },
            {
              title: t('fields.actions'),
              width: 130,
              render: (_, x) => (
                <RowActions
                  name={x.name}
                  editTitle={t('teams.rename')}
                  onEdit={() => open(x)}
                  onDelete={() => remove(x)}
                  deleteConfirm={t('teams.deleteConfirm', { name: x.name })}
                  extra={
                    <Tooltip title={t('teams.editMembers')}>
                      <Button
                        type="text"
                        size="small"
                        icon={<UsergroupAddOutlined />}
                        aria-label={t('teams.editMembersOf', { name: x.name })}
                        data-testid={`team-members-${x.id}`}
                        onClick={() => {
                          setPicked(members.get(x.id) ?? []);
                          setStaffing(x);
                        }}
                      />
                    </Tooltip>
                  }
                />
              ),
            },
          ]}
        />
      </div>
      <EditModal
        open={!!editing}
        title={editing === 'new' ? t('teams.new') : t('teams.rename')}
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
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </EditModal>
      <EditModal
        open={!!staffing}
        title={staffing ? t('teams.membersOf', { name: staffing.name }) : ''}
        saving={saving}
        onOk={saveMembers}
        onCancel={() => setStaffing(null)}
      >
        <Select
          mode="multiple"
          aria-label={t('teams.members')}
          data-testid="team-members-select"
          placeholder={t('teams.pickMembers')}
          style={{ width: '100%' }}
          value={picked}
          onChange={setPicked}
          showSearch={{ optionFilterProp: 'label' }}
          options={users.items
            .filter((u) => u.status === 'active')
            .map((u) => ({
              value: u.id,
              label: `${u.displayName || u.email} (${t(`common:roles.${u.role}`)})`,
            }))}
        />
      </EditModal>
    </>
  );
}
