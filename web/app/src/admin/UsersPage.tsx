// Users and roles: create, change role, disable (a disabled user cannot sign in), languages and
// chat capacity, and skills with a proficiency from 1 (novice) to 5 (expert).
import { PlusOutlined, ThunderboltOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Drawer,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, patch, post, put } from '../shared/api';
import { atLeast, type Role, useAuth } from '../shared/auth';
import { EditModal, errorText, PageHead, useList } from './common';
import type { Skill } from './QueuesPage';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  status: 'active' | 'disabled';
  languages: string[];
  maxChats: number;
}
type AgentSkills = { skillId: string; name: string; proficiency: number }[];

const ROLES: Role[] = ['agent', 'supervisor', 'admin', 'owner'];
const LANGS = ['zh', 'en', 'yue', 'ja', 'ko', 'fr', 'de', 'es', 'hi'];

export function UsersPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const { me } = useAuth();
  const list = useList<User>('/api/v1/users');
  const skills = useList<Skill>('/api/v1/skills');
  const [userSkills, setUserSkills] = useState<Map<string, AgentSkills>>(new Map());
  const [creating, setCreating] = useState(false);
  const [skilling, setSkilling] = useState<User | null>(null);
  const [draft, setDraft] = useState<Map<string, number>>(new Map());
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm();

  // An owner may give any role; an admin agents and supervisors (the server's rule).
  const grantable = ROLES.filter((r) => me?.role === 'owner' || !atLeast(r, 'admin'));

  const loadSkills = useCallback(async (users: User[]) => {
    const all = await Promise.all(
      users.map((u) =>
        get<{ skills: AgentSkills }>(`/api/v1/users/${u.id}/skills`)
          .then((r) => [u.id, r.skills] as const)
          .catch(() => [u.id, [] as AgentSkills] as const),
      ),
    );
    setUserSkills(new Map(all));
  }, []);
  useEffect(() => {
    void loadSkills(list.items);
  }, [list.items, loadSkills]);

  const change = async (u: User, body: Partial<User>) => {
    try {
      await patch(`/api/v1/users/${u.id}`, body);
      void message.success(t('saved'));
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const create = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await post('/api/v1/users', {
        email: v.email,
        password: v.password,
        displayName: v.displayName,
        role: v.role,
        languages: v.languages ?? [],
        maxChats: v.maxChats,
      });
      void message.success(t('saved'));
      setCreating(false);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const openSkills = (u: User) => {
    setDraft(new Map((userSkills.get(u.id) ?? []).map((s) => [s.skillId, s.proficiency])));
    setSkilling(u);
  };
  const saveSkills = async () => {
    if (!skilling) return;
    setSaving(true);
    try {
      await put(`/api/v1/users/${skilling.id}/skills`, {
        skills: [...draft.entries()].map(([skillId, proficiency]) => ({ skillId, proficiency })),
      });
      void message.success(t('saved'));
      setSkilling(null);
      await loadSkills(list.items);
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <PageHead
        title={t('sections.users')}
        description={t('users.description')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              form.resetFields();
              form.setFieldsValue({ role: 'agent', maxChats: 3, languages: ['zh'] });
              setCreating(true);
            }}
          >
            {t('users.new')}
          </Button>
        }
      />
      <div className="sb-admin-body">
        <Table<User>
          size="middle"
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={false}
          sticky
          columns={[
            {
              title: t('fields.name'),
              render: (_, u) => (
                <div style={{ minWidth: 0, opacity: u.status === 'disabled' ? 0.55 : 1 }}>
                  <div style={{ fontWeight: 500 }}>{u.displayName || u.email}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {u.email}
                  </Typography.Text>
                </div>
              ),
            },
            {
              title: t('users.role'),
              width: 150,
              render: (_, u) => (
                <Select
                  size="small"
                  style={{ width: 130 }}
                  value={u.role}
                  aria-label={t('users.roleOf', { name: u.displayName || u.email })}
                  disabled={u.id === me?.id || !grantable.includes(u.role)}
                  onChange={(role) => void change(u, { role })}
                  options={(grantable.includes(u.role) ? grantable : [u.role]).map((r) => ({
                    value: r,
                    label: t(`common:roles.${r}`),
                  }))}
                />
              ),
            },
            {
              title: t('users.active'),
              width: 80,
              render: (_, u) => (
                <Switch
                  size="small"
                  checked={u.status === 'active'}
                  disabled={u.id === me?.id || !grantable.includes(u.role)}
                  aria-label={t('users.activeOf', { name: u.displayName || u.email })}
                  onChange={(on) => void change(u, { status: on ? 'active' : 'disabled' })}
                />
              ),
            },
            {
              title: t('users.languages'),
              width: 130,
              render: (_, u) =>
                u.languages.map((l) => (
                  <Tag key={l} variant="filled">
                    {l}
                  </Tag>
                )),
            },
            { title: t('users.maxChats'), dataIndex: 'maxChats', width: 90 },
            {
              title: t('users.skills'),
              render: (_, u) => (
                <Space size={4} wrap>
                  {(userSkills.get(u.id) ?? []).map((s) => (
                    <Tag key={s.skillId} color="blue" variant="filled">
                      {s.name} {'★'.repeat(s.proficiency)}
                    </Tag>
                  ))}
                  <Tooltip title={t('users.editSkills')}>
                    <Button
                      size="small"
                      type="text"
                      icon={<ThunderboltOutlined />}
                      aria-label={t('users.editSkillsOf', { name: u.displayName || u.email })}
                      data-testid={`user-skills-${u.id}`}
                      onClick={() => openSkills(u)}
                    />
                  </Tooltip>
                </Space>
              ),
            },
          ]}
        />
      </div>

      <EditModal
        open={creating}
        title={t('users.new')}
        okText={t('create')}
        saving={saving}
        onOk={create}
        onCancel={() => setCreating(false)}
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item
            name="email"
            label={t('users.email')}
            rules={[
              { required: true, message: t('required') },
              { type: 'email', message: t('users.emailInvalid') },
            ]}
          >
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="displayName"
            label={t('users.displayName')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('users.password')}
            extra={t('users.passwordHelp')}
            rules={[
              { required: true, message: t('required') },
              { min: 8, message: t('users.passwordShort') },
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Space size={12} style={{ display: 'flex' }} wrap>
            <Form.Item
              name="role"
              label={t('users.role')}
              rules={[{ required: true, message: t('required') }]}
            >
              <Select
                style={{ width: 150 }}
                options={grantable.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))}
              />
            </Form.Item>
            <Form.Item name="maxChats" label={t('users.maxChats')}>
              <InputNumber min={0} max={50} style={{ width: 110 }} />
            </Form.Item>
          </Space>
          <Form.Item name="languages" label={t('users.languages')} extra={t('users.languagesHelp')}>
            <Select mode="tags" options={LANGS.map((l) => ({ value: l, label: l }))} />
          </Form.Item>
        </Form>
      </EditModal>

      <Drawer
        open={!!skilling}
        onClose={() => setSkilling(null)}
        size={480}
        title={skilling ? t('users.skillsOf', { name: skilling.displayName || skilling.email }) : ''}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setSkilling(null)}>{t('cancel')}</Button>
            <Button
              type="primary"
              loading={saving}
              onClick={() => void saveSkills()}
              data-testid="user-skills-save"
            >
              {t('save')}
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('users.proficiencyHelp')}
        </Typography.Paragraph>
        <Table<Skill>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={skills.items}
          columns={[
            {
              title: t('sections.skills'),
              render: (_, s) => (
                <div>
                  <div>{s.name}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {s.description}
                  </Typography.Text>
                </div>
              ),
            },
            {
              title: t('users.proficiency'),
              width: 170,
              render: (_, s) => (
                <Select
                  size="small"
                  style={{ width: 150 }}
                  aria-label={t('users.proficiencyIn', { skill: s.name })}
                  data-testid={`skill-level-${s.id}`}
                  value={draft.get(s.id) ?? 0}
                  onChange={(p: number) =>
                    setDraft((d) => {
                      const next = new Map(d);
                      if (p === 0) next.delete(s.id);
                      else next.set(s.id, p);
                      return next;
                    })
                  }
                  options={[0, 1, 2, 3, 4, 5].map((p) => ({ value: p, label: t(`users.level.${p}`) }))}
                />
              ),
            },
          ]}
        />
      </Drawer>
    </>
  );
}
