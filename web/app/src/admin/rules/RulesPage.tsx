// The routing rule editor: ordered steps (id, task filter → queue, agent filter, overflow timeout,
// priority boost), each CEL field checked as you type; a sample-task trial beside it; saving makes
// a new version in force at once; older versions can be loaded back.
import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DeleteOutlined,
  HistoryOutlined,
  PlusOutlined,
  SaveOutlined,
  UndoOutlined,
} from '@ant-design/icons';
import {
  App,
  Button,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Spin,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get, put } from '../../shared/api';
import { errorText, PageHead, useList } from '../common';
import type { Queue } from '../QueuesPage';
import type { User } from '../UsersPage';
import { type CelError, CelInput, positionOf } from './CelInput';
import { TestPanel, type TrialResult } from './TestPanel';
import { type RuleStep, type RuleVersion, VersionsDrawer } from './VersionsDrawer';

interface DraftStep {
  key: number;
  id: string;
  name: string;
  filter: string;
  queueId: string | undefined;
  agentFilter: string;
  timeoutSeconds: number | null;
  priorityBoost: number | null;
}

let nextKey = 1;
const toDraft = (s: RuleStep): DraftStep => ({
  key: nextKey++,
  id: s.id,
  name: s.name ?? '',
  filter: s.filter ?? '',
  queueId: s.queueId,
  agentFilter: s.agentFilter ?? '',
  timeoutSeconds: s.timeoutMs ? s.timeoutMs / 1000 : null,
  priorityBoost: s.priorityBoost ?? null,
});
const toApi = (s: DraftStep): Record<string, unknown> => ({
  id: s.id.trim(),
  ...(s.name.trim() && { name: s.name.trim() }),
  ...(s.filter.trim() && { filter: s.filter }),
  queueId: s.queueId ?? '',
  ...(s.agentFilter.trim() && { agentFilter: s.agentFilter }),
  ...(s.timeoutSeconds ? { timeoutMs: Math.round(s.timeoutSeconds * 1000) } : {}),
  ...(s.priorityBoost ? { priorityBoost: s.priorityBoost } : {}),
});

type ServerErrors = Record<number, { field: 'filter' | 'agentFilter'; error: CelError }>;

export function RulesPage() {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const queues = useList<Queue>('/api/v1/queues');
  const users = useList<User>('/api/v1/users');
  const [rules, setRules] = useState<RuleVersion | null>(null);
  const [steps, setSteps] = useState<DraftStep[]>([]);
  const [defaultQueueId, setDefaultQueueId] = useState<string | undefined>();
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const [serverErrors, setServerErrors] = useState<ServerErrors>({});
  const [trial, setTrial] = useState<TrialResult | null>(null);
  const [showErrors, setShowErrors] = useState(false);

  const load = useCallback(async () => {
    try {
      const r = await get<RuleVersion>('/api/v1/routing/rules');
      setRules(r);
      setSteps(r.steps.map(toDraft));
      setDefaultQueueId(r.defaultQueueId);
      setDirty(false);
      setServerErrors({});
      setShowErrors(false);
    } catch (e) {
      void message.error(errorText(e));
    }
  }, [message]);
  useEffect(() => {
    void load();
  }, [load]);

  const update = (key: number, patch: Partial<DraftStep>) => {
    setSteps((list) => list.map((s) => (s.key === key ? { ...s, ...patch } : s)));
    setDirty(true);
    if ('filter' in patch || 'agentFilter' in patch)
      setServerErrors((e) => {
        const next = { ...e };
        delete next[key];
        return next;
      });
  };
  const move = (i: number, by: -1 | 1) => {
    setSteps((list) => {
      const next = [...list];
      const [s] = next.splice(i, 1);
      if (s) next.splice(i + by, 0, s);
      return next;
    });
    setDirty(true);
  };
  const add = () => {
    const used = new Set(steps.map((s) => s.id));
    let n = steps.length + 1;
    while (used.has(`step-${n}`)) n++;
    setSteps((list) => [
      ...list,
      {
        key: nextKey++,
        id: `step-${n}`,
        name: '',
        filter: '',
        queueId: undefined,
        agentFilter: '',
        timeoutSeconds: null,
        priorityBoost: null,
      },
    ]);
    setDirty(true);
  };
  const removeStep = (key: number) => {
    setSteps((list) => list.filter((s) => s.key !== key));
    setInvalid((v) => new Set([...v].filter((k) => !k.startsWith(`${key}:`))));
    setDirty(true);
  };
  const setValidity = useCallback((id: string, ok: boolean) => {
    setInvalid((v) => {
      if (ok === !v.has(id)) return v;
      const next = new Set(v);
      if (ok) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  // Problems the form itself can see: a missing id or queue, an id used twice.
  const problems = useMemo(() => {
    const out = new Map<number, { id?: string; queue?: string }>();
    const seen = new Map<string, number>();
    for (const s of steps) {
      const p: { id?: string; queue?: string } = {};
      const id = s.id.trim();
      if (!id) p.id = t('rules.idRequired');
      else if (seen.has(id)) p.id = t('rules.idTaken');
      seen.set(id, s.key);
      if (!s.queueId) p.queue = t('rules.queueRequired');
      if (p.id || p.queue) out.set(s.key, p);
    }
    return out;
  }, [steps, t]);

  const apiSteps = useMemo(() => steps.map(toApi), [steps]);
  const draftKey = useMemo(() => JSON.stringify([apiSteps, defaultQueueId]), [apiSteps, defaultQueueId]);

  const save = useCallback(async () => {
    setShowErrors(true);
    if (problems.size > 0 || invalid.size > 0) {
      void message.error(t('rules.fixFirst'));
      return;
    }
    setSaving(true);
    try {
      const saved = await put<RuleVersion>('/api/v1/routing/rules', {
        steps: apiSteps,
        ...(defaultQueueId && { defaultQueueId }),
      });
      setRules(saved);
      setDirty(false);
      setServerErrors({});
      setShowErrors(false);
      void message.success(t('rules.savedVersion', { version: saved.version }));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'RULE_SYNTAX') {
        const b = e.body as {
          stepId?: string;
          field?: string;
          position?: number;
          line?: number;
          column?: number;
        };
        const step = steps.find((s) => s.id.trim() === b.stepId);
        if (step && (b.field === 'filter' || b.field === 'agentFilter')) {
          const source = step[b.field];
          const pos =
            b.line && b.column ? { line: b.line, column: b.column } : positionOf(source, b.position ?? 0);
          const first = e.message.split('\n')[0] ?? e.message;
          setServerErrors((x) => ({
            ...x,
            [step.key]: { field: b.field as 'filter', error: { message: first, ...pos } },
          }));
        }
      }
      void message.error(errorText(e).split('\n')[0]);
    } finally {
      setSaving(false);
    }
  }, [problems, invalid, apiSteps, defaultQueueId, steps, message, t]);

  // Ctrl/⌘+S saves.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const queueOptions = queues.items.map((q) => ({ value: q.id, label: q.name }));
  const queueName = (id: string | undefined) =>
    id ? (queues.items.find((q) => q.id === id)?.name ?? t('rules.unknownQueue')) : t('rules.unrouted');
  const userName = (actor: string) => {
    const id = actor.startsWith('user:') ? actor.slice(5) : actor;
    const u = users.items.find((x) => x.id === id);
    return u ? u.displayName || u.email : actor;
  };

  if (!rules)
    return (
      <>
        <PageHead title={t('sections.routing')} />
        <Spin style={{ margin: '60px auto', display: 'block' }} />
      </>
    );

  return (
    <>
      <PageHead
        title={t('sections.routing')}
        description={t('rules.description')}
        extra={
          <>
            <Tag variant="filled" color={dirty ? 'orange' : 'green'} data-testid="rules-version">
              {dirty
                ? t('rules.unsaved', { version: rules.version })
                : t('rules.version', { version: rules.version })}
            </Tag>
            <Button
              icon={<HistoryOutlined />}
              onClick={() => setVersionsOpen(true)}
              data-testid="rules-versions"
            >
              {t('rules.versions')}
            </Button>
            <Popconfirm
              title={t('rules.discardConfirm')}
              okText={t('rules.discard')}
              cancelText={t('cancel')}
              onConfirm={() => void load()}
              disabled={!dirty}
            >
              <Button icon={<UndoOutlined />} disabled={!dirty}>
                {t('rules.discard')}
              </Button>
            </Popconfirm>
            <Tooltip title={t('rules.saveHint')}>
              <Button
                type="primary"
                icon={<SaveOutlined />}
                loading={saving}
                disabled={!dirty}
                onClick={() => void save()}
                data-testid="rules-save"
              >
                {t('save')}
              </Button>
            </Tooltip>
          </>
        }
      />
      <div className="sb-rules">
        <div className="sb-rules-steps" data-testid="rule-steps">
          {steps.length === 0 && (
            <div className="sb-step" style={{ color: '#646a73' }}>
              {t('rules.noSteps')}
            </div>
          )}
          {steps.map((s, i) => {
            const p = showErrors ? problems.get(s.key) : undefined;
            const se = serverErrors[s.key];
            const n = i + 1;
            return (
              <section
                key={s.key}
                className={`sb-step ${trial?.stepId && trial.stepId === s.id.trim() ? 'matched' : ''}`}
                aria-label={t('rules.stepN', { n })}
                data-testid={`step-${i}`}
              >
                <div className="sb-step-head">
                  <span className="sb-step-no" aria-hidden="true">
                    {n}
                  </span>
                  <div style={{ width: 170 }}>
                    <Input
                      size="small"
                      value={s.id}
                      onChange={(e) => update(s.key, { id: e.target.value })}
                      aria-label={t('rules.stepId', { n })}
                      prefix={<span style={{ color: '#8a9099', fontSize: 12 }}>{t('rules.id')}</span>}
                      status={p?.id ? 'error' : undefined}
                      data-testid={`step-${i}-id`}
                      maxLength={100}
                    />
                    {p?.id && <div className="sb-cel-error">{p.id}</div>}
                  </div>
                  <Input
                    size="small"
                    value={s.name}
                    onChange={(e) => update(s.key, { name: e.target.value })}
                    aria-label={t('rules.stepName', { n })}
                    placeholder={t('rules.namePlaceholder')}
                    style={{ flex: 1 }}
                    maxLength={200}
                  />
                  {trial?.stepId && trial.stepId === s.id.trim() && (
                    <Tag color="green">{t('rules.matchedSample')}</Tag>
                  )}
                  <Space size={0}>
                    <Tooltip title={t('rules.moveUp')}>
                      <Button
                        size="small"
                        type="text"
                        icon={<ArrowUpOutlined />}
                        aria-label={t('rules.moveUpN', { n })}
                        data-testid={`step-${i}-up`}
                        disabled={i === 0}
                        onClick={() => move(i, -1)}
                      />
                    </Tooltip>
                    <Tooltip title={t('rules.moveDown')}>
                      <Button
                        size="small"
                        type="text"
                        icon={<ArrowDownOutlined />}
                        aria-label={t('rules.moveDownN', { n })}
                        disabled={i === steps.length - 1}
                        onClick={() => move(i, 1)}
                      />
                    </Tooltip>
                    <Tooltip title={t('rules.removeStep')}>
                      <Button
                        size="small"
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={t('rules.removeStepN', { n })}
                        onClick={() => removeStep(s.key)}
                      />
                    </Tooltip>
                  </Space>
                </div>
                <div className="sb-step-grid">
                  <div>
                    <span className="sb-field-label">{t('rules.filter')}</span>
                    <CelInput
                      value={s.filter}
                      onChange={(v) => update(s.key, { filter: v })}
                      context="task"
                      label={t('rules.filterN', { n })}
                      placeholder={t('rules.filterPlaceholder')}
                      testId={`step-${i}-filter`}
                      serverError={se?.field === 'filter' ? se.error : undefined}
                      onValidity={(ok) => setValidity(`${s.key}:filter`, ok)}
                    />
                  </div>
                  <div>
                    <span className="sb-field-label">{t('rules.queue')}</span>
                    <Select
                      size="middle"
                      style={{ width: '100%' }}
                      value={s.queueId}
                      onChange={(v: string) => update(s.key, { queueId: v })}
                      options={queueOptions}
                      showSearch={{ optionFilterProp: 'label' }}
                      placeholder={t('rules.pickQueue')}
                      aria-label={t('rules.queueN', { n })}
                      status={p?.queue ? 'error' : undefined}
                      data-testid={`step-${i}-queue`}
                    />
                    {p?.queue && <div className="sb-cel-error">{p.queue}</div>}
                  </div>
                  <div>
                    <span className="sb-field-label">{t('rules.overflow')}</span>
                    <InputNumber
                      min={0}
                      max={86400}
                      value={s.timeoutSeconds}
                      onChange={(v) => update(s.key, { timeoutSeconds: typeof v === 'number' ? v : null })}
                      placeholder={t('rules.never')}
                      suffix={t('secondsUnit')}
                      aria-label={t('rules.overflowN', { n })}
                      style={{ width: '100%' }}
                      data-testid={`step-${i}-timeout`}
                    />
                  </div>
                  <div>
                    <span className="sb-field-label">{t('rules.boost')}</span>
                    <InputNumber
                      min={-1000}
                      max={1000}
                      value={s.priorityBoost}
                      onChange={(v) => update(s.key, { priorityBoost: typeof v === 'number' ? v : null })}
                      placeholder="0"
                      aria-label={t('rules.boostN', { n })}
                      style={{ width: '100%' }}
                      data-testid={`step-${i}-boost`}
                    />
                  </div>
                </div>
                <div>
                  <span className="sb-field-label">{t('rules.agentFilter')}</span>
                  <CelInput
                    value={s.agentFilter}
                    onChange={(v) => update(s.key, { agentFilter: v })}
                    context="agent"
                    label={t('rules.agentFilterN', { n })}
                    placeholder={t('rules.agentFilterPlaceholder')}
                    testId={`step-${i}-agent-filter`}
                    serverError={se?.field === 'agentFilter' ? se.error : undefined}
                    onValidity={(ok) => setValidity(`${s.key}:agentFilter`, ok)}
                  />
                </div>
              </section>
            );
          })}
          <Button type="dashed" icon={<PlusOutlined />} onClick={add} data-testid="rule-add-step" block>
            {t('rules.addStep')}
          </Button>
          <div className="sb-step">
            <Space size={10} wrap>
              <Typography.Text strong>{t('rules.defaultQueue')}</Typography.Text>
              <Select
                allowClear
                style={{ width: 260 }}
                value={defaultQueueId}
                onChange={(v?: string) => {
                  setDefaultQueueId(v);
                  setDirty(true);
                }}
                options={queueOptions}
                placeholder={t('rules.unrouted')}
                aria-label={t('rules.defaultQueue')}
              />
            </Space>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('rules.variables')}
            </Typography.Text>
          </div>
        </div>
        <TestPanel steps={apiSteps} defaultQueueId={defaultQueueId} draftKey={draftKey} onResult={setTrial} />
      </div>
      <VersionsDrawer
        open={versionsOpen}
        current={rules.version}
        queueName={queueName}
        userName={userName}
        onClose={() => setVersionsOpen(false)}
        onLoad={(v) => {
          setSteps(v.steps.map(toDraft));
          setDefaultQueueId(v.defaultQueueId);
          setDirty(true);
          setVersionsOpen(false);
          void message.info(t('rules.loaded', { version: v.version }));
        }}
      />
    </>
  );
}
