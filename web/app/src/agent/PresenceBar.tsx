// The agent's own state (available, a break with its reason, offline) and the capacity in use per
// channel class, at the top of the inbox column.
import { Select, Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Presence } from './hooks';
import { CHANNEL_CLASSES } from './model';

const DOT: Record<string, string> = {
  available: '#52c41a',
  busy: '#fa8c16',
  wrap_up: '#722ed1',
  break: '#faad14',
  offline: '#bfbfbf',
};

export function useReasonLabel(): (code: string) => string {
  const { t, i18n } = useTranslation('agent');
  return (code) => (i18n.exists(`agent:breakReasons.${code}`) ? t(`breakReasons.${code}`) : code);
}

export function PresenceBar({ presence }: { presence: Presence }) {
  const { t } = useTranslation('agent');
  const reasonLabel = useReasonLabel();
  const stats = presence.stats;
  const state = stats?.state;
  const value =
    state === 'break' && stats?.reason
      ? `break:${stats.reason}`
      : state === 'offline' || !state
        ? state
        : 'available';

  const dot = (color: string) => (
    <span
      aria-hidden
      style={{
        width: 8,
        height: 8,
        borderRadius: 4,
        background: color,
        display: 'inline-block',
        marginRight: 8,
      }}
    />
  );

  const options = [
    {
      value: 'available',
      label: (
        <span>
          {dot(DOT.available!)}
          {t('presence.available')}
        </span>
      ),
    },
    {
      label: t('presence.breakGroup'),
      title: t('presence.breakGroup'),
      options: presence.breakReasons.map((r) => ({
        value: `break:${r}`,
        label: (
          <span>
            {dot(DOT.break!)}
            {t('presence.breakWith', { reason: reasonLabel(r) })}
          </span>
        ),
      })),
    },
    {
      value: 'offline',
      label: (
        <span>
          {dot(DOT.offline!)}
          {t('presence.offline')}
        </span>
      ),
    },
  ];

  const classes = CHANNEL_CLASSES.filter((c) => (stats?.capacity[c] ?? 0) > 0);

  return (
    <section
      aria-label={t('presence.region')}
      style={{ padding: '10px 12px', borderBottom: '1px solid #f0f0f0' }}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
        <Select
          aria-label={t('presence.label')}
          data-testid="presence"
          size="middle"
          style={{ flex: 1, minWidth: 0 }}
          value={value}
          placeholder={t('presence.unknown')}
          loading={presence.busy}
          options={options}
          onChange={(v: string) => {
            if (v.startsWith('break:')) void presence.set('break', v.slice('break:'.length));
            else void presence.set(v as 'available' | 'offline');
          }}
        />
        {(state === 'busy' || state === 'wrap_up') && (
          <Tag color={state === 'busy' ? 'orange' : 'purple'} style={{ marginInlineEnd: 0 }}>
            {t(`presence.${state}`)}
          </Tag>
        )}
      </div>
      {classes.length > 0 && (
        <ul
          aria-label={t('presence.capacity')}
          style={{
            display: 'grid',
            gridTemplateColumns: `repeat(${classes.length}, 1fr)`,
            gap: 10,
            listStyle: 'none',
            padding: 0,
            margin: '8px 0 0',
          }}
        >
          {classes.map((c) => {
            const used = stats?.load[c] ?? 0;
            const cap = stats?.capacity[c] ?? 0;
            const label = t('presence.capacityOf', { kind: t(`classes.${c}`), used, cap });
            const full = used >= cap;
            return (
              <Tooltip key={c} title={label}>
                <li aria-label={label} data-testid={`capacity-${c}`}>
                  <div aria-hidden style={{ display: 'flex', justifyContent: 'space-between', fontSize: 11 }}>
                    <span style={{ color: '#8c8c8c' }}>{t(`classes.${c}`)}</span>
                    <span style={{ fontVariantNumeric: 'tabular-nums', color: full ? '#d46b08' : undefined }}>
                      {used}/{cap}
                    </span>
                  </div>
                  <div
                    aria-hidden
                    style={{ height: 3, background: '#f0f0f0', borderRadius: 2, marginTop: 2 }}
                  >
                    <div
                      style={{
                        width: `${cap ? Math.min(100, (used / cap) * 100) : 0}%`,
                        height: 3,
                        borderRadius: 2,
                        background: full ? '#fa8c16' : '#1664ff',
                      }}
                    />
                  </div>
                </li>
              </Tooltip>
            );
          })}
        </ul>
      )}
    </section>
  );
}
