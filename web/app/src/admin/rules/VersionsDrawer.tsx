// Every saved version of the rules, newest first; any one can be loaded into the editor (and saved
// again as the newest, which is how a rollback is done).
import { RollbackOutlined } from '@ant-design/icons';
import { Button, Drawer, Empty, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get } from '../../shared/api';

export interface RuleStep {
  id: string;
  name?: string;
  filter?: string;
  queueId: string;
  agentFilter?: string;
  timeoutMs?: number;
  priorityBoost?: number;
}
export interface RuleVersion {
  version: number;
  steps: RuleStep[];
  defaultQueueId?: string;
  createdBy: string;
  createdAt: string;
}

export function VersionsDrawer({
  open,
  current,
  queueName,
  userName,
  onClose,
  onLoad,
}: {
  open: boolean;
  current: number;
  queueName(id: string | undefined): string;
  userName(actor: string): string;
  onClose(): void;
  onLoad(v: RuleVersion): void;
}) {
  const { t } = useTranslation('admin');
  const [items, setItems] = useState<RuleVersion[] | null>(null);
  useEffect(() => {
    if (!open) return;
    setItems(null);
    get<{ items: RuleVersion[] }>('/api/v1/routing/rules/versions')
      .then((r) => setItems(r.items))
      .catch(() => setItems([]));
  }, [open]);

  return (
    <Drawer open={open} onClose={onClose} size={560} title={t('rules.versions')} destroyOnHidden>
      {!items ? (
        <Spin style={{ display: 'block', margin: '40px auto' }} />
      ) : items.length === 0 ? (
        <Empty description={t('rules.noVersions')} />
      ) : (
        <div style={{ display: 'flex', flexDirection: 'column', gap: 10 }}>
          {items.map((v) => (
            <div key={v.version} className="sb-step" data-testid={`version-${v.version}`}>
              <div className="sb-step-head">
                <Tag color={v.version === current ? 'green' : 'default'} variant="filled">
                  v{v.version}
                </Tag>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('rules.savedBy', {
                    when: new Date(v.createdAt).toLocaleString(),
                    who: userName(v.createdBy),
                  })}
                </Typography.Text>
                <div style={{ flex: 1 }} />
                {v.version === current ? (
                  <Tag color="green">{t('rules.inForce')}</Tag>
                ) : (
                  <Button
                    size="small"
                    icon={<RollbackOutlined />}
                    onClick={() => onLoad(v)}
                    aria-label={t('rules.loadVersion', { version: v.version })}
                  >
                    {t('rules.load')}
                  </Button>
                )}
              </div>
              <div style={{ fontSize: 12, display: 'flex', flexDirection: 'column', gap: 2 }}>
                {v.steps.map((s, i) => (
                  <div
                    key={s.id}
                    style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                  >
                    {i + 1}. <code>{s.id}</code> {s.filter ? <code>{s.filter}</code> : t('rules.everything')}{' '}
                    → <b>{queueName(s.queueId)}</b>
                  </div>
                ))}
                {v.steps.length === 0 && <span style={{ color: '#8a9099' }}>{t('rules.noStepsShort')}</span>}
                <div style={{ color: '#646a73' }}>
                  {t('rules.otherwise')}{' '}
                  <b>{v.defaultQueueId ? queueName(v.defaultQueueId) : t('rules.unrouted')}</b>
                </div>
              </div>
            </div>
          ))}
        </div>
      )}
    </Drawer>
  );
}
