// Queues: how work waits and how the ACD picks an agent (strategy), how long an offer stands,
// after-contact work, the service-level goal, required skills and business hours.
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Form, Input, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, patch, post } from '../shared/api';
import { errorText, PageHead, RowActions, useList } from './common';

export const STRATEGIES = [
  'best-match',
  'longest-idle',
  'least-recent',
  'fewest-contacts',
  'round-robin',
  'ring-all',
  'random',
  'linear',
] as const;

export interface Queue {
  id: string;
  name: string;
  description: string;
  priority: number;
  serviceLevelSeconds: number;
  serviceLevelTarget: number;
  skills: { skillId: string; minProficiency: number }[];
  strategy: string;
  reservationTimeoutSeconds: number;
  wrapUpSeconds: number;
  businessHoursId?: string | null;
}
export interface Skill {
  id: string;
  name: string;
  description: string;
}
interface Hours {
  id: string;
  name: string;
}

interface FormValues {
  name: string;
  description?: string;
  strategy: string;
  priority: number;
  serviceLevelSeconds: number;
  serviceLevelPercent: number;
  reservationTimeoutSeconds: number;
  wrapUpSeconds: number;
  skills?: { skillId: string; minProficiency: number }[];
  businessHoursId?: string | null;
}

export function QueuesPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const list = useList<Queue>('/api/v1/queues');
  const skills = useList<Skill>('/api/v1/skills');
  const hours = useList<Hours>('/api/v1/business-hours', { paged: false });
  const [editing, setEditing] = useState<Queue | 'new' | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<FormValues>();
  const skillName = (id: string) => skills.items.find((s) => s.id === id)?.name ?? id.slice(0, 8);

  const open = (q: Queue | 'new') => {
    setEditing(q);
    form.resetFields();
    if (q === 'new')
      form.setFieldsValue({
        strategy: 'best-match',
        priority: 0,
        serviceLevelSeconds: 20,
        serviceLevelPercent: 80,
        reservationTimeoutSeconds: 20,
        wrapUpSeconds: 0,
        skills: [],
      });
    else
      form.setFieldsValue({
        ...q,
        serviceLevelPercent: Math.round(q.serviceLevelTarget * 100),
        businessHoursId: q.businessHoursId ?? null,
      });
  };

  const save = async () => {
    const v = await form.validateFields();
    const body: Record<string, unknown> = {
      name: v.name,
      description: v.description ?? '',
      strategy: v.strategy,
      priority: v.priority,
      serviceLevelSeconds: v.serviceLevelSeconds,
      serviceLevelTarget: v.serviceLevelPercent / 100,
      reservationTimeoutSeconds: v.reservationTimeoutSeconds,
      wrapUpSeconds: v.wrapUpSeconds,
      skills: (v.skills ?? []).filter((s) => s?.skillId),
    };
    // Only sent when business hours exist on this server and the value changed.
    const before = editing && editing !== 'new' ? (editing.businessHoursId ?? null) : null;
    if (!hours.missing && (v.businessHoursId ?? null) !== before)
      body.businessHoursId = v.businessHoursId ?? null;
    setSaving(true);
    try {
      if (editing === 'new') await post('/api/v1/queues', body);
      else if (editing) await patch(`/api/v1/queues/${editing.id}`, body);
      void message.success(t('saved'));
      setEditing(null);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (q: Queue) => {
    try {
      await del(`/api/v1/queues/${q.id}`);
      void message.success(t('deleted'));
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  return (
    <>
      <PageHead
        title={t('sections.queues')}
        description={t('queues.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="queue-new">
            {t('queues.new')}
          </Button>
        }
      />
      <div className="sb-admin-body">
        <Table<Queue>
          size="middle"
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={false}
          sticky
          columns={[
            {
              title: t('fields.name'),
              render: (_, q) => (
                <div style={{ minWidth: 0 }}>
                  <div style={{ fontWeight: 500 }}>{q.name}</div>
                  {q.description && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis>
                      {q.description}
                    </Typography.Text>
                  )}
                </div>
              ),
            },
            {
              title: t('queues.strategy'),
              width: 150,
              render: (_, q) => <Tag variant="filled">{t(`strategies.${q.strategy}.label`)}</Tag>,
            },
            {
              title: t('queues.serviceLevel'),
              width: 130,
              render: (_, q) =>
                t('queues.slValue', {
                  pct: Math.round(q.serviceLevelTarget * 100),
                  s: q.serviceLevelSeconds,
                }),
            },
            {
              title: t('queues.reservationTimeout'),
              width: 110,
              render: (_, q) => t('seconds', { n: q.reservationTimeoutSeconds }),
            },
            { title: t('queues.wrapUp'), width: 100, render: (_, q) => t('seconds', { n: q.wrapUpSeconds }) },
            { title: t('queues.priority'), dataIndex: 'priority', width: 80 },
            {
              title: t('queues.skills'),
              render: (_, q) =>
                q.skills.length ? (
                  q.skills.map((s) => (
                    <Tag key={s.skillId} variant="filled" color="blue">
                      {skillName(s.skillId)} ≥ {s.minProficiency}
                    </Tag>
                  ))
                ) : (
                  <Typography.Text type="secondary">{t('queues.anySkill')}</Typography.Text>
                ),
            },
            ...(hours.missing
              ? []
              : [
                  {
                    title: t('queues.businessHours'),
                    width: 130,
                    render: (_: unknown, q: Queue) =>
                      q.businessHoursId ? (
                        (hours.items.find((h) => h.id === q.businessHoursId)?.name ?? '—')
                      ) : (
                        <Typography.Text type="secondary">{t('queues.always')}</Typography.Text>
                      ),
                  },
                ]),
            {
              title: t('fields.actions'),
              width: 96,
              render: (_, q) => (
                <RowActions
                  name={q.name}
                  onEdit={() => open(q)}
                  onDelete={() => remove(q)}
                  deleteConfirm={t('queues.deleteConfirm', { name: q.name })}
                />
              ),
            },
          ]}
        />
      </div>

      <Drawer
        open={!!editing}
        onClose={() => setEditing(null)}
        size={560}
        title={editing === 'new' ? t('queues.new') : t('queues.edit')}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setEditing(null)}>{t('cancel')}</Button>
            <Button type="primary" loading={saving} onClick={() => void save()} data-testid="queue-save">
              {t('save')}
            </Button>
          </Space>
        }
      >
        <Form form={form} layout="vertical" requiredMark="optional">
          <Form.Item
            name="name"
            label={t('fields.name')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input maxLength={200} data-testid="queue-name" />
          </Form.Item>
          <Form.Item name="description" label={t('fields.description')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 3 }} maxLength={1000} />
          </Form.Item>
          <Form.Item name="strategy" label={t('queues.strategy')} extra={t('queues.strategyHelp')}>
            <Select
              options={STRATEGIES.map((s) => ({
                value: s,
                label: t(`strategies.${s}.label`),
                title: t(`strategies.${s}.help`),
              }))}
              optionRender={(o) => (
                <div>
                  <div>{t(`strategies.${o.value}.label`)}</div>
                  <div style={{ fontSize: 12, color: '#8a9099', whiteSpace: 'normal' }}>
                    {t(`strategies.${o.value}.help`)}
                  </div>
                </div>
              )}
            />
          </Form.Item>
          <Space size={12} style={{ display: 'flex' }} wrap>
            <Form.Item
              name="serviceLevelPercent"
              label={t('queues.slTarget')}
              rules={[{ required: true, message: t('required') }]}
            >
              <InputNumber min={1} max={100} suffix="%" style={{ width: 120 }} />
            </Form.Item>
            <Form.Item
              name="serviceLevelSeconds"
              label={t('queues.slSeconds')}
              rules={[{ required: true, message: t('required') }]}
            >
              <InputNumber min={1} max={86400} suffix={t('secondsUnit')} style={{ width: 130 }} />
            </Form.Item>
            <Form.Item name="priority" label={t('queues.priority')} tooltip={t('queues.priorityHelp')}>
              <InputNumber min={-1000} max={1000} style={{ width: 110 }} />
            </Form.Item>
          </Space>
          <Space size={12} style={{ display: 'flex' }} wrap>
            <Form.Item
              name="reservationTimeoutSeconds"
              label={t('queues.reservationTimeout')}
              tooltip={t('queues.reservationHelp')}
              rules={[{ required: true, message: t('required') }]}
            >
              <InputNumber
                min={1}
                max={600}
                suffix={t('secondsUnit')}
                style={{ width: 150 }}
                data-testid="queue-reservation"
              />
            </Form.Item>
            <Form.Item
              name="wrapUpSeconds"
              label={t('queues.wrapUp')}
              tooltip={t('queues.wrapUpHelp')}
              rules={[{ required: true, message: t('required') }]}
            >
              <InputNumber
                min={0}
                max={3600}
                suffix={t('secondsUnit')}
                style={{ width: 150 }}
                data-testid="queue-wrapup"
              />
            </Form.Item>
          </Space>
          <Form.Item
            name="businessHoursId"
            label={t('queues.businessHours')}
            extra={hours.missing ? t('queues.hoursMissing') : t('queues.hoursHelp')}
          >
            <Select
              allowClear
              disabled={hours.missing}
              placeholder={t('queues.always')}
              options={hours.items.map((h) => ({ value: h.id, label: h.name }))}
            />
          </Form.Item>
          <Typography.Text strong>{t('queues.skills')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '2px 0 8px' }}>
            {t('queues.skillsHelp')}
          </Typography.Paragraph>
          <Form.List name="skills">
            {(items, { add, remove }) => (
              <>
                {items.map((item, i) => (
                  <Space key={item.key} align="baseline" style={{ display: 'flex' }}>
                    <Form.Item
                      name={[item.name, 'skillId']}
                      rules={[{ required: true, message: t('required') }]}
                    >
                      <Select
                        aria-label={t('queues.skillN', { n: i + 1 })}
                        style={{ width: 220 }}
                        showSearch={{ optionFilterProp: 'label' }}
                        options={skills.items.map((s) => ({ value: s.id, label: s.name }))}
                      />
                    </Form.Item>
                    <Form.Item name={[item.name, 'minProficiency']} initialValue={1}>
                      <Select
                        aria-label={t('queues.minProficiencyN', { n: i + 1 })}
                        style={{ width: 150 }}
                        options={[1, 2, 3, 4, 5].map((p) => ({
                          value: p,
                          label: t('queues.atLeast', { n: p }),
                        }))}
                      />
                    </Form.Item>
                    <Button
                      type="text"
                      icon={<MinusCircleOutlined />}
                      aria-label={t('queues.removeSkill', { n: i + 1 })}
                      onClick={() => remove(item.name)}
                    />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ minProficiency: 1 })}>
                  {t('queues.addSkill')}
                </Button>
              </>
            )}
          </Form.List>
        </Form>
      </Drawer>
    </>
  );
}
