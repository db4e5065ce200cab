// The consultation and conference part of the call panel. The agent on the call, while a colleague is
// consulted: complete the transfer (attended), join all three in a conference, or go back to the caller.
// The colleague sees who is asking. In a conference either agent may leave; the other keeps the caller.
import { CloseCircleOutlined, LogoutOutlined, RollbackOutlined, TeamOutlined } from '@ant-design/icons';
import { Button, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Me } from '../shared/auth';
import { useColleagues } from './colleagues';
import type { ActiveCall, Softphone } from './softphone';

export function CallConsult({ call, phone, me }: { call: ActiveCall; phone: Softphone; me: Me }) {
  const { t } = useTranslation('agent');
  const others = [...new Set([call.agentId, call.consult?.agentId, ...(call.participants ?? [])])].filter(
    (id): id is string => !!id && id !== me.id,
  );
  const colleagues = useColleagues(others.length > 0);
  const name = (id: string | undefined) =>
    colleagues?.find((c) => c.id === id)?.displayName ?? t('consult.someone');
  const disabled = phone.busy;

  if (call.state === 'conference')
    return (
      <div data-testid="call-conference" style={{ marginTop: 6 }}>
        <Typography.Text style={{ fontSize: 12 }}>
          <TeamOutlined aria-hidden />{' '}
          {t('consult.conferenceWith', { names: others.map((id) => name(id)).join(', ') })}
        </Typography.Text>
        <Button
          size="small"
          block
          icon={<LogoutOutlined aria-hidden />}
          data-testid="call-leave"
          disabled={disabled}
          onClick={() => void phone.leave()}
          style={{ marginTop: 4 }}
        >
          {t('consult.leave')}
        </Button>
      </div>
    );

  const consult = call.consult;
  if (!consult) return null;
  if (consult.agentId === me.id)
    return (
      <Typography.Text data-testid="call-consulted" style={{ fontSize: 12, display: 'block', marginTop: 6 }}>
        <TeamOutlined aria-hidden /> {t('consult.askedBy', { name: name(call.agentId) })}
      </Typography.Text>
    );

  const connected = consult.state === 'connected';
  return (
    <div data-testid="call-consult" data-consult={consult.state} style={{ marginTop: 6 }}>
      <Typography.Text style={{ fontSize: 12 }}>
        <TeamOutlined aria-hidden />{' '}
        {t(connected ? 'consult.talking' : 'consult.ringing', { name: name(consult.agentId) })}
      </Typography.Text>
      <div style={{ display: 'flex', gap: 4, marginTop: 4 }}>
        <Button
          size="small"
          type="primary"
          style={{ flex: 1 }}
          data-testid="call-complete"
          disabled={disabled || !connected}
          onClick={() => void phone.completeTransfer()}
        >
          {t('consult.complete')}
        </Button>
        <Button
          size="small"
          style={{ flex: 1 }}
          icon={<TeamOutlined aria-hidden />}
          data-testid="call-conference-start"
          disabled={disabled || !connected}
          onClick={() => void phone.conference()}
        >
          {t('consult.conference')}
        </Button>
      </div>
      <Button
        size="small"
        block
        icon={connected ? <RollbackOutlined aria-hidden /> : <CloseCircleOutlined aria-hidden />}
        data-testid="call-back-to-caller"
        disabled={disabled}
        onClick={() => void phone.cancelConsult()}
        style={{ marginTop: 4 }}
      >
        {t('consult.back')}
      </Button>
    </div>
  );
}
