// Conversations as a supervisor handles them: who the customer is, listen in, reassign, take over.
import { AudioOutlined, UserSwitchOutlined, VerticalAlignBottomOutlined } from '@ant-design/icons';
import { App, Button, Modal, Popconfirm, Select, Space, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, post } from '../shared/api';
import { useAuth } from '../shared/auth';
import { StateLabel } from './AgentBoard';
import { type AgentStat, type Conversation, nameOf, type User } from './model';

const customerNames = new Map<string, Promise<string>>();

/** A customer's display name (cached for the page's life). */
export function useCustomerName(id: string | null | undefined): string {
  const [name, setName] = useState('');
  useEffect(() => {
    if (!id) return;
    let p = customerNames.get(id);
    if (!p) {
      p = get<{ displayName: string }>(`/api/v1/customers/${id}`)
        .then((c) => c.displayName)
        .catch(() => '');
      customerNames.set(id, p);
    }
    let live = true;
    void p.then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [id]);
  return name;
}

export function CustomerName({ id }: { id: string }) {
  const { t } = useTranslation('supervisor');
  const name = useCustomerName(id);
  return <span>{name || t('conversation.anonymous')}</span>;
}

export function errorText(e: unknown): string {
  return e instanceof ApiError || e instanceof Error ? e.message : String(e);
}

/** Picks an agent and hands the conversation to them. */
export function AssignModal({
  conversation,
  users,
  agentStats,
  onClose,
  getContainer,
}: {
  conversation: Conversation | null;
  users: Map<string, User>;
  agentStats: Map<string, AgentStat>;
  onClose(done: boolean): void;
  getContainer?: (() => HTMLElement) | undefined;
}) {
  const { t } = useTranslation('supervisor');
  const { message } = App.useApp();
  const [agentId, setAgentId] = useState<string>();
  const [busy, setBusy] = useState(false);
  const open = conversation?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new conversation starts with no agent picked
  useEffect(() => setAgentId(undefined), [open]);

  const options = [...users.values()]
    .filter((u) => u.status === 'active' && u.id !== conversation?.assigneeId)
    .map((u) => {
      const s = agentStats.get(u.id);
      return {
        value: u.id,
        search: `${u.displayName} ${u.email}`,
        order: s?.state === 'available' ? 0 : s?.state === 'busy' ? 1 : s?.state === 'offline' ? 3 : 2,
        label: (
          <Space size={8}>
            <span>{u.displayName || u.email}</span>
            {s && <StateLabel stat={s} />}
          </Space>
        ),
      };
    })
    .sort((a, b) => a.order - b.order || a.search.localeCompare(b.search));

  const submit = async () => {
    if (!conversation || !agentId) return;
    setBusy(true);
    try {
      await post(`/api/v1/conversations/${conversation.id}/assign`, { agentId });
      void message.success(t('actions.assigned', { name: nameOf(users, agentId) }));
      onClose(true);
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={!!conversation}
      title={t('actions.reassignTitle')}
      okText={t('actions.reassign')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ disabled: !agentId, loading: busy, 'data-testid': 'assign-ok' } as never}
      onOk={submit}
      onCancel={() => onClose(false)}
      destroyOnHidden
      {...(getContainer && { getContainer })}
    >
      <p style={{ color: '#646a73' }}>
        {conversation?.assigneeId
          ? t('actions.currentlyWith', { name: nameOf(users, conversation.assigneeId) })
          : t('actions.unassigned')}
      </p>
      <Select
        showSearch={{ optionFilterProp: 'search' }}
        aria-label={t('actions.pickAgent')}
        placeholder={t('actions.pickAgent')}
        data-testid="assign-agent"
        style={{ width: '100%' }}
        value={agentId}
        onChange={setAgentId}
        options={options}
      />
    </Modal>
  );
}

/** Listen / reassign / take over, for one conversation. */
export function ConversationActions({
  conversation,
  onListen,
  onReassign,
  onChanged,
  compact = false,
}: {
  conversation: Conversation;
  onListen?: (c: Conversation) => void;
  onReassign(c: Conversation): void;
  onChanged?: () => void;
  compact?: boolean;
}) {
  const { t } = useTranslation('supervisor');
  const { message } = App.useApp();
  const { me } = useAuth();
  const mine = conversation.assigneeId === me?.id;
  const takeOver = async () => {
    try {
      await post(`/api/v1/conversations/${conversation.id}/take-over`, {});
      void message.success(t('actions.tookOver'));
      onChanged?.();
    } catch (e) {
      void message.error(errorText(e));
    }
  };
  const btn = (label: string, icon: React.ReactNode, onClick?: () => void, testId?: string) =>
    compact ? (
      <Tooltip title={label}>
        <Button
          size="small"
          type="text"
          icon={icon}
          aria-label={label}
          onClick={onClick}
          data-testid={testId}
        />
      </Tooltip>
    ) : (
      <Button size="small" icon={icon} onClick={onClick} data-testid={testId}>
        {label}
      </Button>
    );
  return (
    <Space size={compact ? 0 : 6} onClick={(e) => e.stopPropagation()}>
      {onListen &&
        btn(
          t('actions.listen'),
          <AudioOutlined />,
          () => onListen(conversation),
          `listen-${conversation.id}`,
        )}
      {btn(
        t('actions.reassign'),
        <UserSwitchOutlined />,
        () => onReassign(conversation),
        `reassign-${conversation.id}`,
      )}
      <Popconfirm
        title={t('actions.takeOverConfirm')}
        okText={t('actions.takeOver')}
        cancelText={t('common:actions.cancel')}
        onConfirm={takeOver}
        disabled={mine}
      >
        {compact ? (
          <Tooltip title={t('actions.takeOver')}>
            <Button
              size="small"
              type="text"
              icon={<VerticalAlignBottomOutlined />}
              aria-label={t('actions.takeOver')}
              disabled={mine}
              data-testid={`takeover-${conversation.id}`}
            />
          </Tooltip>
        ) : (
          <Button
            size="small"
            icon={<VerticalAlignBottomOutlined />}
            disabled={mine}
            data-testid={`takeover-${conversation.id}`}
          >
            {t('actions.takeOver')}
          </Button>
        )}
      </Popconfirm>
    </Space>
  );
}
