// Wrap-up: a disposition code and an optional note, then the conversation is resolved (by default)
// and the agent's slot freed. Keyboard: the code select has focus, Tab to the note, Ctrl/⌘+Enter
// (or Enter on the button) finishes.
import { Alert, Checkbox, Form, Input, Modal, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, patch, post } from '../shared/api';
import { currentLanguage } from '../shared/i18n';
import { useFail } from './hooks';
import { type Conversation, type DispositionCode, taskOfConversation } from './model';

export function WrapUpModal({
  conversation,
  open,
  onClose,
  onDone,
}: {
  conversation: Conversation;
  open: boolean;
  onClose(): void;
  onDone(resolved: boolean): void;
}) {
  const { t } = useTranslation('agent');
  const fail = useFail();
  const [codes, setCodes] = useState<DispositionCode[] | null>(null);
  const [missing, setMissing] = useState(false);
  const [code, setCode] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const [resolve, setResolve] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setCode(undefined);
    setNote('');
    setResolve(true);
    setError(null);
    get<{ items: DispositionCode[] }>('/api/v1/disposition-codes')
      .then((r) => setCodes(r.items.filter((c) => c.active !== false)))
      .catch((e) => {
        if (e instanceof ApiError && e.status === 404) setMissing(true);
        setCodes([]);
      });
  }, [open]);

  const lang = currentLanguage();
  const submit = async () => {
    if (!missing && !code) {
      setError(t('wrapUp.codeRequired'));
      return;
    }
    setBusy(true);
    try {
      if (missing) {
        // No wrap-up endpoint on this server: finish the task and resolve the conversation.
        const taskId = await taskOfConversation(conversation.id);
        if (taskId) await post(`/api/v1/routing/tasks/${taskId}/complete`).catch(() => undefined);
        if (resolve) await patch(`/api/v1/conversations/${conversation.id}`, { status: 'resolved' });
      } else {
        await post(`/api/v1/conversations/${conversation.id}/wrap-up`, {
          dispositionCode: code,
          ...(note.trim() && { note: note.trim() }),
          resolve,
        });
      }
      onDone(resolve);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('wrapUp.title')}
      okText={t('wrapUp.submit')}
      cancelText={t('common:actions.cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'wrap-up-submit' } as Record<string, string>}
    >
      <Form
        layout="vertical"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void submit();
          }
        }}
      >
        {missing && <Alert type="info" showIcon message={t('wrapUp.noCodes')} style={{ marginBottom: 12 }} />}
        {!missing && (
          <Form.Item
            label={t('wrapUp.code')}
            htmlFor="wrap-up-code"
            required
            validateStatus={error ? 'error' : undefined}
            help={error ?? undefined}
          >
            <Select
              id="wrap-up-code"
              data-testid="wrap-up-code"
              autoFocus
              showSearch={{ optionFilterProp: 'label' }}
              aria-label={t('wrapUp.code')}
              placeholder={t('wrapUp.codePlaceholder')}
              loading={codes === null}
              value={code}
              onChange={(v: string) => {
                setCode(v);
                setError(null);
                // The code chosen, on to the note (Ctrl/⌘+Enter from there finishes).
                setTimeout(() => document.getElementById('wrap-up-note')?.focus(), 0);
              }}
              options={(codes ?? []).map((c) => ({
                value: c.code,
                label: c.labels[lang] ?? c.labels.en ?? c.code,
              }))}
            />
          </Form.Item>
        )}
        <Form.Item label={t('wrapUp.note')} htmlFor="wrap-up-note">
          <Input.TextArea
            id="wrap-up-note"
            data-testid="wrap-up-note"
            aria-label={t('wrapUp.note')}
            autoSize={{ minRows: 2, maxRows: 5 }}
            value={note}
            maxLength={2000}
            onChange={(e) => setNote(e.target.value)}
            placeholder={t('wrapUp.notePlaceholder')}
          />
        </Form.Item>
        <Checkbox checked={resolve} onChange={(e) => setResolve(e.target.checked)}>
          {t('wrapUp.resolve')}
        </Checkbox>
      </Form>
    </Modal>
  );
}
