// Channels: the list, and a settings form per type built from what GET /channel-types says about
// the type (labels in both languages, required, secret). After saving: the webhook URL to give the
// provider, and for web chat the snippet to paste into the website.
import { LinkOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, patch, post } from '../shared/api';
import { ChannelIcon } from '../shared/ChannelIcon';
import { currentLanguage } from '../shared/i18n';
import { Copyable, errorText, localized, PageHead, RowActions, useList } from './common';

interface Field {
  key: string;
  label: { en: string; 'zh-CN': string };
  type: string;
  required: boolean;
  secret: boolean;
  placeholder?: string;
}
interface ChannelType {
  type: string;
  recipientKind: string;
  credentials: Field[];
  capabilities: Record<string, boolean>;
}
export interface Channel {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  enabled: boolean;
  webhookUrl: string;
  createdAt: string;
}

const webhookOf = (c: Channel) => `${location.origin}${c.webhookUrl || `/webhooks/${c.type}/${c.id}`}`;
const snippetOf = (c: Channel) =>
  `<script src="${location.origin}/widget.js" data-channel="${c.id}" async></script>`;

/** Where to connect a channel: the webhook URL, and the widget snippet for web chat. */
export function ConnectInfo({ channel }: { channel: Channel }) {
  const { t } = useTranslation('admin');
  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      {channel.type !== 'webchat' && (
        <div>
          <Typography.Text strong>{t('channels.webhook')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ margin: '2px 0 6px', fontSize: 12 }}>
            {t('channels.webhookHelp')}
          </Typography.Paragraph>
          <Copyable text={webhookOf(channel)} label={t('channels.copyWebhook')} testId="channel-webhook" />
        </div>
      )}
      {channel.type === 'webchat' && (
        <div className="sb-snippet">
          <Typography.Text strong>{t('channels.snippet')}</Typography.Text>
          <Typography.Paragraph type="secondary" style={{ margin: '2px 0 6px', fontSize: 12 }}>
            {t('channels.snippetHelp')}
          </Typography.Paragraph>
          <Copyable text={snippetOf(channel)} label={t('channels.copySnippet')} testId="channel-snippet" />
        </div>
      )}
    </Space>
  );
}

export function ChannelsPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const lang = currentLanguage();
  const list = useList<Channel>('/api/v1/channels');
  const types = useList<ChannelType>('/api/v1/channel-types', { paged: false });
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [connect, setConnect] = useState<Channel | null>(null);
  const [form] = Form.useForm();
  const [saving, setSaving] = useState(false);
  const type = Form.useWatch('type', form) as string | undefined;
  const fields = types.items.find((x) => x.type === type)?.credentials ?? [];

  const open = (c: Channel | 'new') => {
    setEditing(c);
    form.resetFields();
    if (c !== 'new')
      form.setFieldsValue({ type: c.type, name: c.name, enabled: c.enabled, config: c.config });
    else form.setFieldsValue({ enabled: true });
  };

  const save = async () => {
    const v = (await form.validateFields()) as {
      type: string;
      name: string;
      enabled: boolean;
      config?: Record<string, unknown>;
    };
    const config = Object.fromEntries(
      Object.entries(v.config ?? {}).filter(([, x]) => x !== undefined && x !== null && x !== ''),
    );
    setSaving(true);
    try {
      const saved =
        editing === 'new'
          ? await post<Channel>('/api/v1/channels', {
              type: v.type,
              name: v.name,
              enabled: v.enabled,
              config,
            })
          : await patch<Channel>(`/api/v1/channels/${(editing as Channel).id}`, {
              name: v.name,
              enabled: v.enabled,
              config,
            });
      void message.success(t('saved'));
      setEditing(null);
      await list.reload();
      if (editing === 'new') setConnect(saved);
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const toggle = async (c: Channel, enabled: boolean) => {
    try {
      await patch(`/api/v1/channels/${c.id}`, { enabled });
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const remove = async (c: Channel) => {
    try {
      await del(`/api/v1/channels/${c.id}`);
      void message.success(t('deleted'));
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  return (
    <>
      <PageHead
        title={t('sections.channels')}
        description={t('channels.description')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => open('new')}
            data-testid="channel-new"
          >
            {t('channels.new')}
          </Button>
        }
      />
      <div className="sb-admin-body">
        <Table<Channel>
          size="middle"
          rowKey="id"
          loading={list.loading}
          dataSource={list.items}
          pagination={false}
          sticky
          columns={[
            {
              title: t('channels.type'),
              width: 150,
              render: (_, c) => <ChannelIcon type={c.type} withLabel />,
            },
            { title: t('fields.name'), dataIndex: 'name', ellipsis: true },
            {
              title: t('channels.enabled'),
              width: 90,
              render: (_, c) => (
                // Turning a channel off stops its traffic: asked first. Turning it on is not.
                <Popconfirm
                  title={t('channels.disableConfirm', { name: c.name })}
                  okText={t('channels.disable')}
                  cancelText={t('cancel')}
                  disabled={!c.enabled}
                  onConfirm={() => toggle(c, false)}
                >
                  <Switch
                    size="small"
                    checked={c.enabled}
                    aria-label={t('channels.enabledOf', { name: c.name })}
                    onChange={(on) => {
                      if (on) void toggle(c, true);
                    }}
                  />
                </Popconfirm>
              ),
            },
            {
              title: t('channels.connect'),
              render: (_, c) =>
                c.type === 'webchat' ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('channels.widgetShort')}
                  </Typography.Text>
                ) : (
                  <Typography.Text code style={{ fontSize: 12 }} ellipsis>
                    {c.webhookUrl}
                  </Typography.Text>
                ),
            },
            {
              title: t('fields.actions'),
              width: 130,
              render: (_, c) => (
                <RowActions
                  name={c.name}
                  onEdit={() => open(c)}
                  onDelete={() => remove(c)}
                  deleteConfirm={t('channels.deleteConfirm', { name: c.name })}
                  extra={
                    <Tooltip title={t('channels.connectTitle')}>
                      <Button
                        type="text"
                        size="small"
                        icon={<LinkOutlined />}
                        aria-label={t('channels.connectOf', { name: c.name })}
                        onClick={() => setConnect(c)}
                      />
                    </Tooltip>
                  }
                />
              ),
            },
          ]}
        />
      </div>

      <Drawer
        open={!!editing}
        onClose={() => setEditing(null)}
        size={520}
        title={editing === 'new' ? t('channels.new') : t('channels.edit')}
        destroyOnHidden
        extra={
          <Space>
            <Button onClick={() => setEditing(null)}>{t('cancel')}</Button>
            <Button type="primary" loading={saving} onClick={() => void save()} data-testid="channel-save">
              {t('save')}
            </Button>
          </Space>
        }
      >
        <Form form={form} layout="vertical" requiredMark="optional" onFinish={() => void save()}>
          <Form.Item
            name="type"
            label={t('channels.type')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Select
              data-testid="channel-type"
              showSearch={{ optionFilterProp: 'search' }}
              disabled={editing !== 'new'}
              loading={types.loading}
              options={types.items.map((x) => ({
                value: x.type,
                search: `${x.type} ${t(`common:channels.${x.type}`)}`,
                label: <ChannelIcon type={x.type} withLabel />,
              }))}
            />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('fields.name')}
            rules={[{ required: true, message: t('required') }]}
          >
            <Input maxLength={200} data-testid="channel-name" />
          </Form.Item>
          <Form.Item name="enabled" label={t('channels.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
          {fields.length > 0 && (
            <Typography.Title level={5} style={{ marginTop: 0 }}>
              {t('channels.settings')}
            </Typography.Title>
          )}
          {fields.map((f) => (
            <Form.Item
              key={`${type}-${f.key}`}
              name={['config', f.key]}
              label={localized(f.label, lang)}
              rules={f.required ? [{ required: true, message: t('required') }] : []}
              {...(f.type === 'boolean' && { valuePropName: 'checked' })}
              {...(f.secret && editing !== 'new' && { extra: t('channels.secretKept') })}
            >
              {f.type === 'boolean' ? (
                <Switch />
              ) : f.type === 'number' ? (
                <InputNumber style={{ width: '100%' }} placeholder={f.placeholder} />
              ) : f.secret ? (
                <Input.Password placeholder={f.placeholder} autoComplete="new-password" />
              ) : (
                <Input type={f.type === 'url' ? 'url' : 'text'} placeholder={f.placeholder} />
              )}
            </Form.Item>
          ))}
          <button type="submit" hidden aria-hidden="true" tabIndex={-1} />
        </Form>
      </Drawer>

      <Modal
        open={!!connect}
        onCancel={() => setConnect(null)}
        footer={<Button onClick={() => setConnect(null)}>{t('close')}</Button>}
        title={connect ? t('channels.connectHeading', { name: connect.name }) : ''}
        width={640}
        destroyOnHidden
      >
        {connect && <ConnectInfo channel={connect} />}
      </Modal>
    </>
  );
}
