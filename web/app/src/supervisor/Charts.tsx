// The last hours per channel and per queue, drawn with ECharts (only the parts used, so the chart
// code stays small and lives in the wallboard's chunk). Fetched on open and again, debounced, when
// live events say the numbers moved — never on a timer.
import { Empty, Segmented, Spin } from 'antd';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, get } from '../shared/api';
import { CHANNEL_COLORS } from '../shared/ChannelIcon';
import { useLiveEvents } from '../shared/live';
import type { Queue } from './model';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type EChartsOption = Parameters<echarts.ECharts['setOption']>[0];

const PALETTE = ['#1664ff', '#14b8a6', '#f59e0b', '#8b5cf6', '#ef4444', '#0ea5e9', '#84cc16', '#ec4899'];
const RANGES = [
  { hours: 2, bucket: 5 },
  { hours: 6, bucket: 15 },
  { hours: 12, bucket: 30 },
] as const;

interface VolumeData {
  channels: string[];
  starts: number[];
  series: Map<string, number[]>;
}

interface QueuePoint {
  offered: number;
  answered: number;
  abandoned: number;
  serviceLevel: number | null;
  asaMs: number;
}
interface QueueData {
  starts: number[];
  byQueue: Map<string, QueuePoint[]>;
}

type Metric = 'offered' | 'serviceLevel' | 'abandoned' | 'asa';

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function parseVolume(raw: Record<string, unknown>): VolumeData {
  const buckets = (raw.buckets as { start: string; byChannel?: Record<string, number> }[]) ?? [];
  const channels = new Set<string>((raw.channels as string[]) ?? []);
  for (const b of buckets) for (const c of Object.keys(b.byChannel ?? {})) channels.add(c);
  const list = [...channels];
  const series = new Map(list.map((c) => [c, buckets.map((b) => n(b.byChannel?.[c]))]));
  return { channels: list, starts: buckets.map((b) => Date.parse(b.start)), series };
}

function point(raw: Record<string, unknown> | undefined): QueuePoint {
  const r = raw ?? {};
  const asa = r.asaMs !== undefined ? n(r.asaMs) : n(r.asaSeconds ?? r.asa) * 1000;
  return {
    offered: n(r.offered),
    answered: n(r.answered),
    abandoned: n(r.abandoned),
    serviceLevel: typeof r.serviceLevel === 'number' ? r.serviceLevel : null,
    asaMs: asa,
  };
}

/** Accepts buckets holding queues (by id or as a list) or queues holding buckets. */
function parseQueues(raw: Record<string, unknown>): QueueData {
  const byQueue = new Map<string, QueuePoint[]>();
  const buckets = raw.buckets as Record<string, unknown>[] | undefined;
  if (Array.isArray(buckets) && buckets.length) {
    const starts = buckets.map((b) => Date.parse(String(b.start)));
    const ids = new Set<string>();
    for (const b of buckets) {
      const bq = b.byQueue ?? b.queues;
      if (Array.isArray(bq)) for (const q of bq) ids.add(String((q as { queueId: string }).queueId));
      else if (bq && typeof bq === 'object') for (const k of Object.keys(bq)) ids.add(k);
    }
    for (const id of ids)
      byQueue.set(
        id,
        buckets.map((b) => {
          const bq = b.byQueue ?? b.queues;
          const r = Array.isArray(bq)
            ? (bq as Record<string, unknown>[]).find((q) => q.queueId === id)
            : (bq as Record<string, Record<string, unknown>> | undefined)?.[id];
          return point(r);
        }),
      );
    return { starts, byQueue };
  }
  const queues = raw.queues as { queueId: string; buckets: Record<string, unknown>[] }[] | undefined;
  if (Array.isArray(queues) && queues.length) {
    const starts = (queues[0]?.buckets ?? []).map((b) => Date.parse(String(b.start)));
    for (const q of queues) byQueue.set(q.queueId, (q.buckets ?? []).map(point));
    return { starts, byQueue };
  }
  return { starts: [], byQueue };
}

function hhmm(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function EChart({ option, label, testId }: { option: EChartsOption; label: string; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = undefined;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);
  return <div ref={el} className="sb-chart" role="img" aria-label={label} data-testid={testId} />;
}

const baseGrid = { left: 40, right: 14, top: 30, bottom: 22 };

export const Charts = memo(function Charts({ queues }: { queues: Queue[] }) {
  const { t, i18n } = useTranslation('supervisor');
  const [range, setRange] = useState(1);
  const [metric, setMetric] = useState<Metric>('offered');
  const [volume, setVolume] = useState<VolumeData | null>(null);
  const [queueData, setQueueData] = useState<QueueData | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [loading, setLoading] = useState(true);
  const r = RANGES[range] ?? RANGES[1];

  const load = useCallback(() => {
    const qs = `hours=${r.hours}&bucketMinutes=${r.bucket}`;
    Promise.all([
      get<Record<string, unknown>>(`/api/v1/analytics/volume?${qs}`),
      get<Record<string, unknown>>(`/api/v1/analytics/queues?${qs}`),
    ])
      .then(([v, q]) => {
        setVolume(parseVolume(v));
        setQueueData(parseQueues(q));
        setUnavailable(false);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) setUnavailable(true);
      })
      .finally(() => setLoading(false));
  }, [r.hours, r.bucket]);

  useEffect(() => load(), [load]);

  // New contacts, answers and abandons move the charts: fetch again, at most every few seconds.
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLiveEvents(
    ['routing.task.queued', 'routing.task.assigned', 'routing.task.abandoned', 'conversation.created'],
    () => {
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = undefined;
        load();
      }, 5000);
    },
  );
  useEffect(() => () => clearTimeout(timer.current), []);

  const volumeOption = useMemo((): EChartsOption | null => {
    if (!volume) return null;
    const channelLabel = (c: string) => (i18n.exists(`common:channels.${c}`) ? t(`common:channels.${c}`) : c);
    return {
      color: PALETTE,
      grid: { ...baseGrid, top: 34 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 4, left: 0, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 11 }, type: 'scroll' },
      xAxis: {
        type: 'category',
        data: volume.starts.map(hhmm),
        axisTick: { show: false },
        axisLabel: { fontSize: 10, color: '#8a9099' },
      },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: 10, color: '#8a9099' } },
      series: volume.channels.map((c) => ({
        name: channelLabel(c),
        type: 'bar' as const,
        stack: 'all',
        barMaxWidth: 18,
        data: volume.series.get(c) ?? [],
        ...(CHANNEL_COLORS[c] && { itemStyle: { color: CHANNEL_COLORS[c] } }),
      })),
    };
  }, [volume, t, i18n]);

  const queueOption = useMemo((): EChartsOption | null => {
    if (!queueData) return null;
    const queueName = (id: string) => queues.find((q) => q.id === id)?.name ?? id.slice(0, 8);
    const pick = (p: QueuePoint): number | null =>
      metric === 'offered'
        ? p.offered
        : metric === 'abandoned'
          ? p.abandoned
          : metric === 'asa'
            ? Math.round(p.asaMs / 1000)
            : p.serviceLevel === null || p.answered + p.abandoned === 0
              ? null
              : Math.round(p.serviceLevel * 100);

    return {
      color: PALETTE,
      grid: { ...baseGrid, top: 34 },
      tooltip: { trigger: 'axis' },
      legend: { top: 4, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 }, type: 'scroll' },
      xAxis: {
        type: 'category',
        data: queueData.starts.map(hhmm),
        boundaryGap: false,
        axisTick: { show: false },
        axisLabel: { fontSize: 10, color: '#8a9099' },
      },
      yAxis: {
        type: 'value',
        minInterval: 1,
        ...(metric === 'serviceLevel' && { max: 100, axisLabel: { formatter: '{value}%', fontSize: 10 } }),
        ...(metric !== 'serviceLevel' && { axisLabel: { fontSize: 10, color: '#8a9099' } }),
      },
      series: [...queueData.byQueue.entries()].map(([id, points]) => ({
        name: queueName(id),
        type: 'line' as const,
        smooth: false,
        showSymbol: false,
        connectNulls: true,
        data: points.map(pick),
      })),
    };
  }, [queueData, metric, queues]);

  const hasVolume = !!volume && volume.channels.length > 0;
  const hasQueues = !!queueData && queueData.byQueue.size > 0;

  return (
    <div className="sb-charts">
      <section className="sb-panel" aria-labelledby="sb-chart-volume">
        <div className="sb-panel-head">
          <span className="sb-panel-title" id="sb-chart-volume">
            {t('charts.volume')}
          </span>
          <div style={{ flex: 1 }} />
          <Segmented
            size="small"
            aria-label={t('charts.range')}
            value={range}
            onChange={(v) => setRange(v as number)}
            options={RANGES.map((x, i) => ({ value: i, label: t('charts.hours', { n: x.hours }) }))}
          />
        </div>
        <div className="sb-panel-body" style={{ display: 'flex', overflow: 'hidden', padding: '0 6px' }}>
          {loading ? (
            <Spin style={{ margin: 'auto' }} />
          ) : unavailable ? (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={t('charts.unavailable')}
              style={{ margin: 'auto' }}
            />
          ) : hasVolume && volumeOption ? (
            <EChart option={volumeOption} label={t('charts.volume')} testId="chart-volume" />
          ) : (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={t('charts.empty')}
              style={{ margin: 'auto' }}
            />
          )}
        </div>
      </section>
      <section className="sb-panel" aria-labelledby="sb-chart-queues">
        <div className="sb-panel-head">
          <span className="sb-panel-title" id="sb-chart-queues">
            {t('charts.queues')}
          </span>
          <div style={{ flex: 1 }} />
          <Segmented
            size="small"
            aria-label={t('charts.metric')}
            value={metric}
            onChange={(v) => setMetric(v as Metric)}
            options={(['offered', 'serviceLevel', 'abandoned', 'asa'] as const).map((m) => ({
              value: m,
              label: t(`charts.metrics.${m}`),
            }))}
          />
        </div>
        <div className="sb-panel-body" style={{ display: 'flex', overflow: 'hidden', padding: '0 6px' }}>
          {loading ? (
            <Spin style={{ margin: 'auto' }} />
          ) : unavailable ? (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={t('charts.unavailable')}
              style={{ margin: 'auto' }}
            />
          ) : hasQueues && queueOption ? (
            <EChart
              option={queueOption}
              label={`${t('charts.queues')} — ${t(`charts.metrics.${metric}`)}`}
              testId="chart-queues"
            />
          ) : (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={t('charts.empty')}
              style={{ margin: 'auto' }}
            />
          )}
        </div>
      </section>
    </div>
  );
});
