import { usdText } from '../alerts/alert-money';

/**
 * What a spend digest says, and how each channel kind shows it (beside notification.ts, which does the
 * same for alerts). Money as exact strings: nanos and USD.
 */
export interface DigestLine {
  /** The model, user or agent; null for calls without one. */
  key: string | null;
  costNanos: string;
  costUsd: string;
  calls: number;
}

export interface DigestRanking {
  items: DigestLine[];
  /** Everything after the top items, summed; null when there is nothing after them. */
  rest: Omit<DigestLine, 'key'> | null;
}

export interface DigestBudget {
  id: string;
  name: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  limitNanos: string;
  limitUsd: string;
  spentNanos: string;
  spentUsd: string;
  state: string;
  projectedNanos: string;
  projectedUsd: string;
  /** When the run rate reaches the limit before the budget's period ends, else null. */
  exhaustsAt: string | null;
}

export interface Digest {
  /** The same for every instance and every retry: the subscription and the period. */
  id: string;
  tenant: string;
  subscriptionId: string;
  name: string;
  cadence: 'daily' | 'weekly';
  timezone: string;
  periodStart: string;
  periodEnd: string;
  totalCostNanos: string;
  totalCostUsd: string;
  calls: number;
  unpricedCalls: number;
  previous: { periodStart: string; periodEnd: string; totalCostNanos: string; totalCostUsd: string; calls: number };
  changeNanos: string;
  /** Percent change of the total from the period before (20 = +20 %); null when the period before spent nothing. */
  changePercent: number | null;
  topModels: DigestRanking;
  topUsers: DigestRanking;
  topAgents: DigestRanking;
  /** Every budget of the tenant, as it stands when the digest is made. */
  budgets: DigestBudget[];
  generatedAt: string;
}

/** The webhook body: the digest with its type and schema version first. */
export const digestWebhookBody = (d: Digest) => ({ type: 'tokenledger.digest', version: 1, ...d });

const signed = (n: number) => `${n > 0 ? '+' : ''}${n} %`;
/** Amounts for people: to the cent, or three significant digits under a cent, as alerts show them. */
const text = (nanos: string) => usdText(BigInt(nanos));
const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`;
const periodWord = (d: Digest) => (d.cadence === 'weekly' ? 'week' : 'day');

/** One line for people (Slack text, e-mail subject). */
export function digestHeadline(d: Digest): string {
  const change = d.changePercent === null ? '' : ` (${signed(d.changePercent)} on the ${periodWord(d)} before)`;
  const days = d.cadence === 'weekly' ? `the week from ${d.periodStart.slice(0, 10)}` : d.periodStart.slice(0, 10);
  return `${d.name}: ${text(d.totalCostNanos)} over ${calls(d.calls)} on ${days}${change}`;
}

function rankingLines(title: string, r: DigestRanking): string[] {
  if (r.items.length === 0) return [];
  const line = (name: string, l: Omit<DigestLine, 'key'>) => `  ${name}: ${text(l.costNanos)}, ${calls(l.calls)}`;
  return [`${title}:`, ...r.items.map((l) => line(l.key ?? '(none)', l)), ...(r.rest ? [line('everything else', r.rest)] : [])];
}

function budgetLine(b: DigestBudget): string {
  const exhaustion = b.exhaustsAt ? `, runs out ${b.exhaustsAt}` : '';
  return `  ${b.name}: ${text(b.spentNanos)} of ${text(b.limitNanos)} this ${b.period} (${b.state}; projected ${text(b.projectedNanos)}${exhaustion})`;
}

/** The digest as text lines (e-mail body, Slack blocks). */
export function digestLines(d: Digest): string[] {
  return [
    `Period: ${d.periodStart} to ${d.periodEnd} (${d.timezone})`,
    `Total: ${text(d.totalCostNanos)} over ${calls(d.calls)}`,
    `The ${periodWord(d)} before: ${text(d.previous.totalCostNanos)} over ${calls(d.previous.calls)}`,
    ...(d.unpricedCalls > 0 ? [`Unpriced calls: ${d.unpricedCalls} (their cost is not in the total)`] : []),
    ...rankingLines('Top models', d.topModels),
    ...rankingLines('Top users', d.topUsers),
    ...rankingLines('Top agents', d.topAgents),
    ...(d.budgets.length > 0 ? ['Budgets:', ...d.budgets.map(budgetLine)] : []),
    `Digest id: ${d.id}`,
  ];
}

/** Slack blocks: a header, the headline, then the figures as text. */
export function digestSlackMessage(d: Digest) {
  const text = digestHeadline(d);
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Spend digest: ${d.name}`.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: digestLines(d).join('\n').slice(0, 3000) } },
    ],
  };
}

export function digestEmail(d: Digest) {
  const headline = digestHeadline(d);
  return { subject: `[tokenledger] ${headline}`, text: `${headline}\n\n${digestLines(d).join('\n')}\n`, headers: { 'X-Tokenledger-Digest-Id': d.id } };
}
