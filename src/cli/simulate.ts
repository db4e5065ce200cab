// `switchboard simulate`: a staffing what-if. Runs the real routing engine on a virtual clock with
// random arrivals and handle times and sets the outcome next to what Erlang C predicts.
import cliProgress from 'cli-progress';
import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  averageSpeedOfAnswer,
  occupancy,
  type SimulationOptions,
  type SimulationResult,
  serviceLevel,
  simulate,
} from '../routing/sim/index.js';

const HELP = `
One queue, one skill, agents who take every contact offered and are never away. Arrivals are
Poisson, handle times exponential (or all equal to --aht with --handle-time fixed); with --patience
each caller hangs up after an exponential time with that mean unless answered first.

Arrivals are generated for --hours (after --warmup-hours, which are served but not counted); the
run then continues until every counted contact is answered or abandoned. Service level = share of
counted contacts answered within --sl-seconds; ASA = mean wait of answered contacts; occupancy =
busy agent time / (agents × hours).

Erlang C is the textbook prediction for the same staffing with exponential handle times and no
abandonment, so it is printed beside the simulation only without --patience (in --json it is
always there). The same --seed gives the same output.

Exit status: 0 on success, 2 when an option is missing or invalid.`;

interface SimulateFlags {
  agents: number;
  arrivalsPerHour: number;
  aht: number;
  hours: number;
  seed: number;
  slSeconds: number;
  patience?: number;
  handleTime: 'exponential' | 'fixed';
  warmupHours: number;
  json: boolean;
}

const wholeAtLeast = (min: number) => (raw: string) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
  return n;
};
const numberAbove = (min: number, orEqual: boolean) => (raw: string) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min || (!orEqual && n === min))
    throw new InvalidArgumentError(`expected a number ${orEqual ? '≥' : '>'} ${min}`);
  return n;
};
const seedOf = (raw: string) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(n))
    throw new InvalidArgumentError('expected a whole number');
  return n;
};

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('Simulate a queue on the routing engine and compare it with Erlang C; no database needed')
    .requiredOption('--agents <n>', 'agents logged in', wholeAtLeast(1))
    .requiredOption('--arrivals-per-hour <rate>', 'mean arrivals per hour', numberAbove(0, true))
    .requiredOption('--aht <seconds>', 'average handle time, seconds', numberAbove(0, false))
    .option('--hours <h>', 'hours of arrivals to count', numberAbove(0, false), 8)
    .option('--seed <s>', 'random seed', seedOf, 1)
    .option('--sl-seconds <t>', 'service level threshold, seconds', numberAbove(0, true), 20)
    .option(
      '--patience <seconds>',
      'mean patience before abandoning (default: callers never hang up)',
      numberAbove(0, false),
    )
    .addOption(
      new Option('--handle-time <distribution>', 'handle time distribution')
        .choices(['exponential', 'fixed'])
        .default('exponential'),
    )
    .option('--warmup-hours <h>', 'hours simulated before counting starts', numberAbove(0, true), 0)
    .option('--json', 'print one JSON object instead of a table', false)
    .addHelpText('after', HELP)
    // A bad or missing option is bad input (exit 2), like every other command's validation errors.
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
    })
    .action((flags: SimulateFlags) => {
      const options: SimulationOptions = {
        agents: flags.agents,
        arrivalsPerHour: flags.arrivalsPerHour,
        ahtSeconds: flags.aht,
        hours: flags.hours,
        seed: flags.seed,
        slSeconds: flags.slSeconds,
        patienceSeconds: flags.patience,
        handleTime: flags.handleTime,
        warmupHours: flags.warmupHours,
      };
      const result = withProgress(flags, (onProgress) => simulate({ ...options, onProgress }));
      const predicted = erlangPrediction(flags);
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(toJson(flags, result, predicted))}\n`
          : table(flags, result, predicted),
      );
    });
}

/** A progress bar for a person watching a long run; never on a pipe, and never with --json. */
function withProgress<T>(flags: SimulateFlags, run: (onProgress?: (f: number) => void) => T): T {
  const contacts = flags.arrivalsPerHour * (flags.hours + flags.warmupHours);
  if (flags.json || process.stderr.isTTY !== true || contacts < 20_000) return run();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'simulating [{bar}] {percentage}% | ETA {eta}s',
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0);
  try {
    return run((f) => bar.update(Math.round(f * 100)));
  } finally {
    bar.stop();
  }
}

interface Prediction {
  serviceLevel: number;
  asa: number;
  occupancy: number;
}

function erlangPrediction(flags: SimulateFlags): Prediction {
  const perSecond = flags.arrivalsPerHour / 3600;
  return {
    serviceLevel: serviceLevel(flags.agents, perSecond, flags.aht, flags.slSeconds),
    asa: averageSpeedOfAnswer(flags.agents, perSecond, flags.aht),
    occupancy: occupancy(flags.agents, perSecond, flags.aht),
  };
}

const round = (x: number, digits: number) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

function toJson(flags: SimulateFlags, r: SimulationResult, p: Prediction) {
  return {
    agents: flags.agents,
    arrivalsPerHour: flags.arrivalsPerHour,
    ahtSeconds: flags.aht,
    hours: flags.hours,
    seed: flags.seed,
    slSeconds: flags.slSeconds,
    patienceSeconds: flags.patience ?? null,
    handleTime: flags.handleTime,
    offered: r.offered,
    answered: r.answered,
    abandoned: r.abandoned,
    answeredWithinSl: r.answeredWithinSl,
    serviceLevel: round(r.serviceLevel, 4),
    asa: round(r.asa, 2),
    maxWait: round(r.maxWait, 2),
    occupancy: round(r.occupancy, 4),
    waiting: r.waiting,
    // Erlang C for the same staffing without abandonment; asa is null when agents ≤ traffic.
    erlangC: {
      serviceLevel: round(p.serviceLevel, 4),
      asa: round(p.asa, 2),
      occupancy: round(p.occupancy, 4),
    },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const secs = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : '∞ (overloaded)');

function table(flags: SimulateFlags, r: SimulationResult, p: Prediction): string {
  const compare = flags.patience === undefined;
  const rows: Array<[string, string, string?]> = [
    ['offered', String(r.offered)],
    ['answered', String(r.answered)],
    ['abandoned', String(r.abandoned)],
    [`service level (${flags.slSeconds} s)`, pct(r.serviceLevel), pct(p.serviceLevel)],
    ['ASA', secs(r.asa), secs(p.asa)],
    ['longest wait', secs(r.maxWait)],
    ['occupancy', pct(r.occupancy), pct(p.occupancy)],
    ['waiting at the horizon', String(r.waiting)],
  ];
  const head = [
    `${flags.hours} h of arrivals${flags.warmupHours ? ` after ${flags.warmupHours} h warm-up` : ''}, seed ${flags.seed}: ` +
      `${flags.agents} agents, ${flags.arrivalsPerHour} arrivals/h, AHT ${flags.aht} s (${flags.handleTime}), ` +
      (compare ? 'no abandonment' : `mean patience ${flags.patience} s`),
    '',
    `${''.padEnd(24)}${'simulated'.padStart(16)}${compare ? 'Erlang C'.padStart(16) : ''}`,
  ];
  const body = rows.map(
    ([label, sim, erl]) => `${label.padEnd(24)}${sim.padStart(16)}${compare && erl ? erl.padStart(16) : ''}`,
  );
  const notes: string[] = [];
  if (compare && flags.handleTime === 'fixed')
    notes.push('Erlang C assumes exponential handle times; fixed ones wait less.');
  if (!compare)
    notes.push(
      `Erlang C without abandonment would give ${pct(p.serviceLevel)} within ${flags.slSeconds} s and an ASA of ${secs(p.asa)}.`,
    );
  return `${[...head, ...body, ...(notes.length ? ['', ...notes] : [])].join('\n')}\n`;
}
