// "Where would this go?": a sample task tried against the draft rules (POST /routing/rules/test),
// with the queue and step that take it and each step's verdict. Re-runs as the draft changes.
import { CheckCircleFilled, CloseCircleOutlined, ExperimentOutlined, WarningFilled } from '@ant-design/icons';
import { Alert, AutoComplete, Button, Form, Input, InputNumber, Select, Space, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post } from '../../shared/api';
import { ChannelIcon } from '../../shared/ChannelIcon';

const CHANNELS = [
  'webchat',
  'app',
  'wechat',
  'whatsapp',
  'telegram',
  'messenger',
  'email',
  'sms',
  'voice',
  'video',
];
const LANGUAGES = ['zh', 'en', 'yue', 'ja', 'ko'];
const INTENTS = ['refund', 'delivery', 'billing', 'technical', 'complaint', 'sales'];

/** The attribute a filter read that the sample task does not have (CEL: "No such key: category"). */
function missingKey(error: string): string | undefined {
  return /no such key:?\s*([\w.]+)/i.exec(error)?.[1];
}

export interface TrialResult {
  version: number | null;
  queueId: string | null;
  queueName: string | null;
  stepId: string | null;
  trace: { stepId: string; matched: boolean; error?: string; queueFound?: boolean }[];
  priority: number;
  agentFilter?: string;
}

interface SampleForm {
  channel: string;
  language?: string;
  intent?: string;
  tier?: number | null;
  csat?: number | null;
  priority?: number | null;
  attributes?: string;
}

export function TestPanel({
  steps,
  defaultQueueId,
  draftKey,
  onResult,
}: {
  /** The draft steps as PUT /routing/rules takes them. */
  steps: Record<string, unknown>[];
  defaultQueueId: string | undefined;
  /** Changes whenever the draft does (to re-run a test already shown). */
  draftKey: string;
  onResult(r: TrialResult | null): void;
}) {
  const { t } = useTranslation('admin');
  const [form] = Form.useForm<SampleForm>();
  const [result, setResult] = useState<TrialResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [unavailable, setUnavailable] = useState(false);
  const ran = useRef(false);

  const run = useCallback(async () => {
    let v: SampleForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    let attributes: Record<string, unknown> | undefined;
    if (v.attributes?.trim()) {
      try {
        attributes = JSON.parse(v.attributes) as Record<string, unknown>;
      } catch {
        setError(t('rules.test.badJson'));
        return;
      }
    }
    const task = {
      channel: v.channel,
      ...(v.language && { language: v.language }),
      ...(v.intent && { intent: v.intent }),
      ...(typeof v.tier === 'number' && { tier: v.tier }),
      ...(typeof v.csat === 'number' && { csat: v.csat }),
      ...(typeof v.priority === 'number' && { priority: v.priority }),
      ...(attributes && { attributes }),
    };
    setRunning(true);
    ran.current = true;
    try {
      const r = await post<TrialResult>('/api/v1/routing/rules/test', {
        steps,
        ...(defaultQueueId && { defaultQueueId }),
        task,
      });
      setResult(r);
      setError(null);
      onResult(r);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404 && !e.code) setUnavailable(true);
      setResult(null);
      onResult(null);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setRunning(false);
    }
  }, [form, steps, defaultQueueId, onResult, t]);

  // Once a result is shown, keep it current with the draft.
  const runRef = useRef(run);
  runRef.current = run;
  // biome-ignore lint/correctness/useExhaustiveDependencies: draftKey is the trigger; the run reads the latest draft
  useEffect(() => {
    if (!ran.current) return;
    const timer = setTimeout(() => void runRef.current(), 500);
    return () => clearTimeout(timer);
  }, [draftKey]);

  return (
    <aside className="sb-test" aria-labelledby="sb-test-title" data-testid="rule-test-panel">
      <Typography.Title level={5} style={{ marginTop: 0 }} id="sb-test-title">
        <ExperimentOutlined /> {t('rules.test.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('rules.test.help')}
      </Typography.Paragraph>
      {unavailable && (
        <Alert type="warning" showIcon title={t('rules.test.unavailable')} style={{ marginBottom: 8 }} />
      )}
      <Form
        form={form}
        layout="vertical"
        size="small"
        initialValues={{ channel: 'webchat', language: 'zh' }}
        onFinish={() => void run()}
        requiredMark={false}
      >
        <Form.Item
          name="channel"
          label={t('rules.test.channel')}
          rules={[{ required: true, message: t('required') }]}
        >
          <Select
            data-testid="test-channel"
            showSearch={{ optionFilterProp: 'search' }}
            options={CHANNELS.map((c) => ({
              value: c,
              search: `${c} ${t(`common:channels.${c}`)}`,
              label: <ChannelIcon type={c} withLabel />,
            }))}
          />
        </Form.Item>
        <Space size={8} style={{ display: 'flex' }}>
          <Form.Item name="language" label={t('rules.test.language')} style={{ flex: 1 }}>
            <AutoComplete options={LANGUAGES.map((l) => ({ value: l }))} style={{ width: 150 }} />
          </Form.Item>
          <Form.Item name="intent" label={t('rules.test.intent')} style={{ flex: 1 }}>
            <AutoComplete
              options={INTENTS.map((l) => ({ value: l }))}
              style={{ width: 150 }}
              data-testid="test-intent"
            />
          </Form.Item>
        </Space>
        <Space size={8} style={{ display: 'flex' }}>
          <Form.Item name="tier" label={t('rules.test.tier')}>
            <InputNumber min={0} max={9} style={{ width: 96 }} />
          </Form.Item>
          <Form.Item name="csat" label={t('rules.test.csat')}>
            <InputNumber min={0} max={5} step={0.5} style={{ width: 96 }} />
          </Form.Item>
          <Form.Item name="priority" label={t('rules.test.priority')}>
            <InputNumber min={-1000} max={1000} style={{ width: 96 }} />
          </Form.Item>
        </Space>
        <Form.Item
          name="attributes"
          label={t('rules.test.attributes')}
          extra={t('rules.test.attributesHelp')}
        >
          <Input.TextArea
            className="sb-cel"
            autoSize={{ minRows: 1, maxRows: 3 }}
            placeholder='{"vip": true}'
          />
        </Form.Item>
        <Button
          type="primary"
          htmlType="submit"
          loading={running}
          icon={<ExperimentOutlined />}
          data-testid="test-run"
          block
        >
          {t('rules.test.run')}
        </Button>
      </Form>

      {error && (
        <Alert type="error" showIcon title={error} style={{ marginTop: 10 }} data-testid="test-error" />
      )}
      {result && (
        <div style={{ marginTop: 12 }} data-testid="test-result" aria-live="polite">
          {result.queueId ? (
            <div>
              <Typography.Text type="secondary">{t('rules.test.goesTo')}</Typography.Text>
              <div
                style={{ fontSize: 18, fontWeight: 600, color: '#1664ff' }}
                data-testid="test-result-queue"
              >
                {result.queueName ?? result.queueId}
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="test-result-step">
                {result.stepId
                  ? t('rules.test.byStep', { step: result.stepId, priority: result.priority })
                  : t('rules.test.byDefault', { priority: result.priority })}
              </Typography.Text>
              {result.agentFilter && (
                <div style={{ fontSize: 12, marginTop: 2 }}>
                  {t('rules.test.agentFilter')} <code>{result.agentFilter}</code>
                </div>
              )}
            </div>
          ) : (
            <Alert type="warning" showIcon title={t('rules.test.nowhere')} data-testid="test-result-queue" />
          )}
          <Typography.Text strong style={{ display: 'block', marginTop: 10, fontSize: 12 }}>
            {t('rules.test.trace')}
          </Typography.Text>
          <div className="sb-trace">
            {result.trace.map((s) => (
              <div key={s.stepId} data-testid={`trace-${s.stepId}`} data-matched={s.matched}>
                {s.error && !missingKey(s.error) ? (
                  <WarningFilled style={{ color: '#d48806' }} />
                ) : s.matched ? (
                  <CheckCircleFilled style={{ color: '#2ea44f' }} />
                ) : (
                  <CloseCircleOutlined style={{ color: '#a3a8b3' }} />
                )}
                <code>{s.stepId}</code>
                <span style={{ color: '#646a73' }}>
                  {s.error
                    ? missingKey(s.error)
                      ? t('rules.test.noKey', { key: missingKey(s.error) })
                      : t('rules.test.stepError', { error: s.error })
                    : s.matched
                      ? s.queueFound === false
                        ? t('rules.test.queueMissing')
                        : s.stepId === result.stepId
                          ? t('rules.test.matchedChosen')
                          : t('rules.test.matched')
                      : t('rules.test.notMatched')}
                </span>
              </div>
            ))}
            {result.trace.length === 0 && <span style={{ color: '#8a9099' }}>{t('rules.test.noSteps')}</span>}
          </div>
        </div>
      )}
    </aside>
  );
}
