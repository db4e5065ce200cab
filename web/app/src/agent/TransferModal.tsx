// Transfer to a queue or to a colleague: the routing task (with its attributes and age) moves, and
// the conversation leaves this agent's inbox. An optional note tells the next agent why. A phone
// call still in progress moves through the voice API (the caller hears music until someone accepts).
import { Alert, Form, Input, Modal, Radio, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, patch, post } from '../shared/api';
import type { Me } from '../shared/auth';
import type { Colleague } from './colleagues';
import { useFail } from './hooks';
import { type Conversation, type Queue, taskOfConversation } from './model';

export function TransferModal({
  conversation,
  me,
  open,
  onClose,
  onDone,
}: {
  conversation: Pick<Conversation, 'id' | 'channelType'>;
  me: Me;
  open: boolean;
  onClose(): void;
  onDone(): void;
}) {
  const { t } = useTranslation('agent');
  const fail = useFail();
  const [kind, setKind] = useState<'queue' | 'agent'>('queue');
  const [queues, setQueues] = useState<Queue[]>([]);
  const [agents, setAgents] = useState<Colleague[] | null>(null);
  const [target, setTarget] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setTarget(undefined);
    setNote('');
    get<{ items: Queue[] }>('/api/v1/queues?limit=200')
      .then((r) => setQueues(r.items))
      .catch(() => setQueues([]));
    get<{ items: Colleague[] }>('/api/v1/directory/agents')
      .then((r) => setAgents(r.items.filter((u) => u.id !== me.id)))
      .catch(() => setAgents(null));
  }, [open, me.id]);

  /** A call in progress moves with the voice API; false when the conversation has no call (any more). */
  const moveCall = async (body: { queueId: string } | { agentId: string }): Promise<boolean> => {
    if (conversation.channelType !== 'voice') return false;
    try {
      await post(`/api/v1/voice/calls/${conversation.id}/transfer`, body);
      return true;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.code === 'VOICE_OFF')) return false;
      throw e;
    }
  };

  const submit = async () => {
    if (!target) return;
    setBusy(true);
    try {
      const body = kind === 'queue' ? { queueId: target } : { agentId: target };
      if (note.trim())
        await post(`/api/v1/conversations/${conversation.id}/notes`, {
          text: note.trim(),
          mentions: [],
        }).catch(() => undefined);
      if (!(await moveCall(body))) {
        const taskId = await taskOfConversation(conversation.id);
        if (taskId) await post(`/api/v1/routing/tasks/${taskId}/transfer`, body);
        else
          await patch(
            `/api/v1/conversations/${conversation.id}`,
            kind === 'queue' ? { queueId: target, assigneeId: null } : { assigneeId: target },
          );
      }
      onDone();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const options =
    kind === 'queue'
      ? queues.map((q) => ({ value: q.id, label: q.name }))
      : (agents ?? []).map((u) => ({
          value: u.id,
          label: t('transfer.agentState', { name: u.displayName, state: t(`presence.${u.state}`) }),
        }));

  return (
    <Modal
      open={open}
      title={conversation.channelType === 'voice' ? t('transfer.callTitle') : t('transfer.title')}
      okText={t('transfer.submit')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ disabled: !target }}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form layout="vertical">
        <Form.Item label={t('transfer.to')}>
          <Radio.Group
            aria-label={t('transfer.to')}
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setTarget(undefined);
            }}
            options={[
              { value: 'queue', label: t('transfer.queue') },
              { value: 'agent', label: t('transfer.agent'), disabled: agents === null },
            ]}
          />
        </Form.Item>
        {kind === 'agent' && agents === null && (
          <Alert type="info" showIcon message={t('transfer.agentsHidden')} style={{ marginBottom: 12 }} />
        )}
        <Form.Item
          label={kind === 'queue' ? t('transfer.queue') : t('transfer.agent')}
          htmlFor="transfer-target"
        >
          <Select
            id="transfer-target"
            autoFocus
            showSearch={{ optionFilterProp: 'label' }}
            aria-label={kind === 'queue' ? t('transfer.queue') : t('transfer.agent')}
            placeholder={kind === 'queue' ? t('transfer.pickQueue') : t('transfer.pickAgent')}
            value={target}
            onChange={setTarget}
            options={options}
          />
        </Form.Item>
        <Form.Item label={t('transfer.note')} htmlFor="transfer-note">
          <Input.TextArea
            id="transfer-note"
            aria-label={t('transfer.note')}
            autoSize={{ minRows: 2, maxRows: 4 }}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder={t('transfer.notePlaceholder')}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
