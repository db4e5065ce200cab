// Consult a colleague before handing a call over: the agent picks someone from the directory; the caller
// then waits on hold (music) while the two agents talk on their phones.
import { Alert, Form, Modal, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useColleagues } from './colleagues';

export function ConsultModal({
  meId,
  open,
  busy,
  onClose,
  onConsult,
}: {
  meId: string;
  open: boolean;
  busy: boolean;
  onClose(): void;
  onConsult(agentId: string): void;
}) {
  const { t } = useTranslation('agent');
  const colleagues = useColleagues(open);
  const [target, setTarget] = useState<string | undefined>();
  useEffect(() => {
    if (open) setTarget(undefined);
  }, [open]);

  // Free colleagues first; a busy one may still be free for a word (the server says if not).
  const options = (colleagues ?? [])
    .filter((c) => c.id !== meId)
    .sort((x, y) => Number(y.available) - Number(x.available))
    .map((c) => ({
      value: c.id,
      label: t('transfer.agentState', { name: c.displayName, state: t(`presence.${c.state}`) }),
    }));

  return (
    <Modal
      open={open}
      title={t('consult.title')}
      okText={t('consult.submit')}
      cancelText={t('common:actions.cancel')}
      okButtonProps={{ disabled: !target }}
      onOk={() => target && onConsult(target)}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form layout="vertical">
        {colleagues === null && (
          <Alert type="warning" showIcon message={t('consult.agentsHidden')} style={{ marginBottom: 12 }} />
        )}
        <Form.Item label={t('consult.colleague')} htmlFor="consult-target" extra={t('consult.hint')}>
          <Select
            id="consult-target"
            autoFocus
            showSearch={{ optionFilterProp: 'label' }}
            aria-label={t('consult.colleague')}
            placeholder={t('transfer.pickAgent')}
            value={target}
            onChange={setTarget}
            options={options}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
