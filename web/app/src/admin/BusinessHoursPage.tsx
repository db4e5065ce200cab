// Business hours: a weekly grid (one or more opening spans per day), holidays, and the time zone
// they are read in. Queues point at a schedule; outside it, customers get the closed message.
import { DeleteOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Badge,
  Button,
  Empty,
  Input,
  Popconfirm,
  Select,
  Space,
  Spin,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, get, patch, post } from '../shared/api';
import { errorText, Missing, PageHead, useList } from './common';

interface Span {
  day: number;
  open: string;
  close: string;
}
interface Holiday {
  date: string;
  name: string;
}
interface Hours {
  id: string;
  name: string;
  timezone: string;
  weekly: Span[];
  holidays: Holiday[];
}
interface Status {
  open: boolean;
  reason?: string;
  nextChange?: string | null;
}

const PATH = '/api/v1/business-hours';
/** Monday first, as a Chinese or European calendar shows it; day numbers are 0 = Sunday. */
const DAYS = [1, 2, 3, 4, 5, 6, 0];

function timezones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return [
      'Asia/Shanghai',
      'Asia/Hong_Kong',
      'Asia/Singapore',
      'Asia/Tokyo',
      'Europe/London',
      'America/New_York',
      'UTC',
    ];
  }
}

const blank = (): Omit<Hours, 'id'> => ({
  name: '',
  timezone: 'Asia/Shanghai',
  weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '18:00' })),
  holidays: [],
});

export function BusinessHoursPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const list = useList<Hours>(PATH, { paged: false });
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  const [draft, setDraft] = useState<Omit<Hours, 'id'>>(blank);
  const [status, setStatus] = useState<Status | null>(null);
  const [saving, setSaving] = useState(false);
  const zones = useMemo(timezones, []);

  useEffect(() => {
    if (selected === null && list.items.length) setSelected(list.items[0]?.id ?? null);
  }, [list.items, selected]);
  useEffect(() => {
    if (selected === 'new' || selected === null) {
      setDraft(blank());
      setStatus(null);
      return;
    }
    const h = list.items.find((x) => x.id === selected);
    if (h) setDraft({ name: h.name, timezone: h.timezone, weekly: h.weekly, holidays: h.holidays });
    get<Status>(`${PATH}/${selected}/status`)
      .then(setStatus)
      .catch(() => setStatus(null));
  }, [selected, list.items]);

  const setDay = (day: number, spans: Span[]) =>
    setDraft((d) => ({
      ...d,
      weekly: [...d.weekly.filter((s) => s.day !== day), ...spans].sort((a, b) => a.day - b.day),
    }));

  const save = async () => {
    if (!draft.name.trim()) {
      void message.error(t('hours.nameRequired'));
      return;
    }
    // A span may run past midnight (22:00–06:00); only an empty one is a mistake.
    const bad = draft.weekly.find((s) => !s.open || !s.close || s.open === s.close);
    if (bad) {
      void message.error(t('hours.badSpan', { day: t(`hours.days.${bad.day}`) }));
      return;
    }
    setSaving(true);
    try {
      const body = { ...draft, holidays: draft.holidays.filter((h) => h.date) };
      if (selected === 'new' || selected === null) {
        const created = await post<Hours>(PATH, body);
        await list.reload();
        setSelected(created.id);
      } else {
        await patch(`${PATH}/${selected}`, body);
        await list.reload();
      }
      void message.success(t('saved'));
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    if (!selected || selected === 'new') return;
    try {
      await del(`${PATH}/${selected}`);
      void message.success(t('deleted'));
      setSelected(null);
      await list.reload();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  if (list.missing)
    return (
      <>
        <PageHead title={t('sections.hours')} description={t('hours.description')} />
        <Missing path={PATH} />
      </>
    );

  return (
    <>
      <PageHead
        title={t('sections.hours')}
        description={t('hours.description')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setSelected('new')}>
            {t('hours.new')}
          </Button>
        }
      />
      <div
        style={{
          flex: 1,
          minHeight: 0,
          display: 'grid',
          gridTemplateColumns: '240px minmax(0, 1fr)',
          gap: 12,
        }}
      >
        <div className="sb-admin-body" style={{ padding: 6 }}>
          {list.loading ? (
            <Spin style={{ display: 'block', margin: '30px auto' }} />
          ) : list.items.length === 0 && selected !== 'new' ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('hours.none')} />
          ) : (
            <Space orientation="vertical" size={2} style={{ width: '100%' }}>
              {list.items.map((h) => (
                <Button
                  key={h.id}
                  type={selected === h.id ? 'primary' : 'text'}
                  ghost={selected === h.id}
                  block
                  style={{ justifyContent: 'flex-start' }}
                  onClick={() => setSelected(h.id)}
                >
                  {h.name}
                </Button>
              ))}
              {selected === 'new' && (
                <Button type="primary" ghost block style={{ justifyContent: 'flex-start' }}>
                  {t('hours.new')}
                </Button>
              )}
            </Space>
          )}
        </div>
        <div className="sb-admin-body" style={{ padding: 16 }}>
          {selected === null && list.items.length === 0 ? (
            <Empty description={t('hours.pickOrCreate')} />
          ) : (
            <Space orientation="vertical" size={16} style={{ width: '100%' }}>
              <Space size={12} wrap align="end">
                <div>
                  <span className="sb-field-label">{t('fields.name')}</span>
                  <Input
                    aria-label={t('fields.name')}
                    data-testid="hours-name"
                    value={draft.name}
                    onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))}
                    style={{ width: 240 }}
                    placeholder={t('hours.namePlaceholder')}
                    maxLength={200}
                  />
                </div>
                <div>
                  <span className="sb-field-label">{t('hours.timezone')}</span>
                  <Select
                    aria-label={t('hours.timezone')}
                    showSearch
                    value={draft.timezone}
                    onChange={(tz: string) => setDraft((d) => ({ ...d, timezone: tz }))}
                    options={zones.map((z) => ({ value: z, label: z }))}
                    style={{ width: 220 }}
                  />
                </div>
                {status && (
                  <Badge
                    status={status.open ? 'success' : 'default'}
                    text={
                      <span data-testid="hours-status">
                        {status.open ? t('hours.openNow') : t('hours.closedNow')}
                        {status.nextChange &&
                          ` · ${t('hours.nextChange', { when: new Date(status.nextChange).toLocaleString() })}`}
                      </span>
                    }
                  />
                )}
              </Space>

              <div>
                <Typography.Text strong>{t('hours.weekly')}</Typography.Text>
                <div className="sb-week" style={{ marginTop: 8 }}>
                  {DAYS.map((day) => {
                    const spans = draft.weekly.filter((s) => s.day === day);
                    const dayName = t(`hours.days.${day}`);
                    return (
                      <div className="sb-week-row" key={day}>
                        <span>{dayName}</span>
                        <Switch
                          size="small"
                          checked={spans.length > 0}
                          aria-label={t('hours.openOn', { day: dayName })}
                          data-testid={`hours-day-${day}`}
                          onChange={(on) => setDay(day, on ? [{ day, open: '09:00', close: '18:00' }] : [])}
                        />
                        <Space size={8} wrap>
                          {spans.length === 0 && <Tag variant="filled">{t('hours.closed')}</Tag>}
                          {spans.map((s, i) => (
                            // biome-ignore lint/suspicious/noArrayIndexKey: a span is its position in the day; it has no id
                            <Space key={`${day}-${i}`} size={4}>
                              <input
                                type="time"
                                value={s.open}
                                aria-label={t('hours.opensAt', { day: dayName, n: i + 1 })}
                                onChange={(e) =>
                                  setDay(
                                    day,
                                    spans.map((x, j) => (j === i ? { ...x, open: e.target.value } : x)),
                                  )
                                }
                              />
                              <span>–</span>
                              <input
                                type="time"
                                value={s.close}
                                aria-label={t('hours.closesAt', { day: dayName, n: i + 1 })}
                                onChange={(e) =>
                                  setDay(
                                    day,
                                    spans.map((x, j) => (j === i ? { ...x, close: e.target.value } : x)),
                                  )
                                }
                              />
                              {spans.length > 1 && (
                                <Button
                                  type="text"
                                  size="small"
                                  icon={<MinusCircleOutlined />}
                                  aria-label={t('hours.removeSpan', { day: dayName, n: i + 1 })}
                                  onClick={() =>
                                    setDay(
                                      day,
                                      spans.filter((_, j) => j !== i),
                                    )
                                  }
                                />
                              )}
                            </Space>
                          ))}
                          {spans.length > 0 && (
                            <Button
                              type="link"
                              size="small"
                              icon={<PlusOutlined />}
                              aria-label={t('hours.addSpanOn', { day: dayName })}
                              onClick={() => setDay(day, [...spans, { day, open: '13:00', close: '18:00' }])}
                            >
                              {t('hours.addSpan')}
                            </Button>
                          )}
                        </Space>
                      </div>
                    );
                  })}
                </div>
              </div>

              <div>
                <Typography.Text strong>{t('hours.holidays')}</Typography.Text>
                <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '2px 0 8px' }}>
                  {t('hours.holidaysHelp')}
                </Typography.Paragraph>
                <Space orientation="vertical" size={6}>
                  {draft.holidays.map((h, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: holidays are edited by position; they have no id
                    <div className="sb-holiday" key={`${i}-${h.date}`}>
                      <input
                        type="date"
                        value={h.date}
                        aria-label={t('hours.holidayDate', { n: i + 1 })}
                        data-testid={`holiday-${i}-date`}
                        onChange={(e) =>
                          setDraft((d) => ({
                            ...d,
                            holidays: d.holidays.map((x, j) =>
                              j === i ? { ...x, date: e.target.value } : x,
                            ),
                          }))
                        }
                      />
                      <Input
                        value={h.name}
                        aria-label={t('hours.holidayName', { n: i + 1 })}
                        data-testid={`holiday-${i}-name`}
                        placeholder={t('hours.holidayPlaceholder')}
                        style={{ width: 220 }}
                        onChange={(e) =>
                          setDraft((d) => ({
                            ...d,
                            holidays: d.holidays.map((x, j) =>
                              j === i ? { ...x, name: e.target.value } : x,
                            ),
                          }))
                        }
                      />
                      <Button
                        type="text"
                        icon={<MinusCircleOutlined />}
                        aria-label={t('hours.removeHoliday', { n: i + 1 })}
                        onClick={() =>
                          setDraft((d) => ({ ...d, holidays: d.holidays.filter((_, j) => j !== i) }))
                        }
                      />
                    </div>
                  ))}
                  <Button
                    type="dashed"
                    size="small"
                    icon={<PlusOutlined />}
                    onClick={() =>
                      setDraft((d) => ({ ...d, holidays: [...d.holidays, { date: '', name: '' }] }))
                    }
                    data-testid="hours-add-holiday"
                  >
                    {t('hours.addHoliday')}
                  </Button>
                </Space>
              </div>

              <Space>
                <Button type="primary" loading={saving} onClick={() => void save()} data-testid="hours-save">
                  {t('save')}
                </Button>
                {selected && selected !== 'new' && (
                  <Popconfirm
                    title={t('hours.deleteConfirm', { name: draft.name })}
                    okText={t('delete')}
                    cancelText={t('cancel')}
                    onConfirm={() => void remove()}
                  >
                    <Button danger icon={<DeleteOutlined />}>
                      {t('delete')}
                    </Button>
                  </Popconfirm>
                )}
              </Space>
            </Space>
          )}
        </div>
      </div>
    </>
  );
}
