import { type FormEvent, useState } from 'react';
import { getJson, sendJson } from '../api';
import { Empty, Panel } from '../components/panel';
import { ZonePicker } from '../components/zone-picker';
import { formatPercent, formatUsd, formatUsdExact } from '../money';
import { formText } from '../forms';
import { browserZone } from '../scope';
import { useApi } from '../use-api';

/** The budgets API: a budget, and its status in the current period. */
interface Budget {
  id: string;
  name: string;
  scope: Partial<Record<ScopeField, string>> & { tags?: Record<string, string>; perUser?: boolean };
  period: 'day' | 'week' | 'month';
  timezone: string;
  limitUsd: string;
  thresholds: number[];
  action: 'notify' | 'block';
}
interface BudgetStatus {
  spentUsd: string;
  limitUsd: string;
  ratio: number;
  state: 'ok' | 'warning' | 'exceeded';
  periodEnd: string;
  projectedUsd: string;
  /** When spend reaches the limit at the run rate, if before the period ends (ISO, the budget's offset). */
  exhaustsAt: string | null;
  /** perUser budgets: how many users are over their limit (spent and ratio are the top user's). */
  usersExceeded?: number;
}

const SCOPE_FIELDS = ['user', 'agent', 'model', 'provider', 'feature', 'service'] as const;
type ScopeField = (typeof SCOPE_FIELDS)[number];
/** "team=search, env=prod" → { team: "search", env: "prod" }; throws on a pair without a key or a value. */
function parseTags(text: string): Record<string, string> {
  const pairs = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      const [key, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (at < 0 || !key || !value) throw new Error(`Tags: "${pair}" is not key=value (write team=search, env=prod)`);
      return [key, value] as const;
    });
  return Object.fromEntries(pairs);
}
const formatTags = (tags: Record<string, string> | undefined) =>
  Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** An instant as the budget's zone reads it. */
const localTime = (iso: string, zone: string) => new Date(iso).toLocaleString(undefined, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' });

/** Lists may come bare or wrapped; take either. */
const listOf = <T,>(body: unknown, field: string): T[] => (Array.isArray(body) ? (body as T[]) : ((body as Record<string, T[]>)?.[field] ?? []));

async function loadBudgets() {
  const budgets = listOf<Budget>(await getJson('/v1/budgets'), 'budgets');
  return Promise.all(
    budgets.map(async (b) => ({ budget: b, status: await getJson<BudgetStatus>(`/v1/budgets/${encodeURIComponent(b.id)}/status`).catch(() => null) })),
  );
}

function BudgetForm({ initial, onDone }: { initial: Budget | null; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [zone, setZone] = useState(initial?.timezone ?? browserZone());
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const scope: Record<string, unknown> = {};
    for (const k of SCOPE_FIELDS) if (formText(f, k).trim()) scope[k] = formText(f, k).trim();
    try {
      const tags = parseTags(formText(f, 'tags'));
      if (Object.keys(tags).length) scope.tags = tags;
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    if (f.get('perUser')) scope.perUser = true;
    const body = {
      name: formText(f, 'name'),
      scope,
      period: formText(f, 'period'),
      timezone: zone,
      limitUsd: formText(f, 'limitUsd').trim(),
      thresholds: formText(f, 'thresholds')
        .split(',')
        .map((t) => Number(t.trim()))
        .filter((t) => t > 0),
      action: formText(f, 'action'),
    };
    try {
      if (initial) await sendJson('PATCH', `/v1/budgets/${encodeURIComponent(initial.id)}`, body);
      else await sendJson('POST', '/v1/budgets', body);
      onDone();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="budget-form" onSubmit={submit} aria-label={initial ? `Edit budget ${initial.name}` : 'New budget'}>
      <label>
        Name <input name="name" required defaultValue={initial?.name} />
      </label>
      <label>
        Limit (USD) <input name="limitUsd" required inputMode="decimal" pattern="\d+(\.\d+)?" defaultValue={initial?.limitUsd} />
      </label>
      <label>
        Period
        <select name="period" defaultValue={initial?.period ?? 'month'}>
          <option value="day">Day</option>
          <option value="week">Week</option>
          <option value="month">Month</option>
        </select>
      </label>
      <ZonePicker name="timezone" value={zone} onChange={setZone} />
      <label>
        Action
        <select name="action" defaultValue={initial?.action ?? 'notify'}>
          <option value="notify">Notify</option>
          <option value="block">Block calls</option>
        </select>
      </label>
      <label>
        Thresholds (fractions) <input name="thresholds" defaultValue={(initial?.thresholds ?? [0.8, 1]).join(', ')} />
      </label>
      {SCOPE_FIELDS.map((k) => (
        <label key={k}>
          {k[0].toUpperCase() + k.slice(1)} <input name={k} placeholder="any" defaultValue={initial?.scope[k] ?? ''} />
        </label>
      ))}
      <label>
        Tags <input name="tags" placeholder="any, or team=search, env=prod" defaultValue={formatTags(initial?.scope.tags)} />
      </label>
      <label className="check">
        <input type="checkbox" name="perUser" defaultChecked={Boolean(initial?.scope.perUser)} /> Limit applies to each user
      </label>
      <div className="toolbar">
        <button type="submit">{initial ? 'Save budget' : 'Create budget'}</button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

export function BudgetsPage({ isAdmin }: { isAdmin: boolean }) {
  const [reload, setReload] = useState(0);
  const [editing, setEditing] = useState<Budget | 'new' | null>(null);
  const b = useApi(loadBudgets, 'budgets', reload);
  const missing = b.error && /^404|Cannot GET/.test(b.error);
  const done = () => {
    setEditing(null);
    setReload((n) => n + 1);
  };
  return (
    <Panel title="Budgets" error={missing ? null : b.error} loading={b.loading}>
      {missing ? (
        <Empty>This collector does not serve budgets yet.</Empty>
      ) : (
        <>
          {isAdmin && editing === null && (
            <button type="button" onClick={() => setEditing('new')}>
              New budget
            </button>
          )}
          {editing !== null && <BudgetForm initial={editing === 'new' ? null : editing} onDone={done} />}
          {b.data && b.data.length === 0 && <Empty>No budgets yet.</Empty>}
          <ul className="progress-list" data-testid="budgets">
            {(b.data ?? []).map(({ budget, status }) => (
              <li key={budget.id} className={status ? `state-${status.state}` : undefined}>
                <div className="progress-head">
                  <strong>{budget.name}</strong>
                  <span>
                    {status
                      ? `${formatUsd(status.spentUsd)} of ${formatUsdExact(status.limitUsd)} · ${status.state}`
                      : `limit ${formatUsdExact(budget.limitUsd)}`}{' '}
                    · per {budget.period}
                    {budget.action === 'block' ? ', blocks calls' : ''}
                  </span>
                </div>
                {budget.scope.tags ? <div className="hint">Only calls tagged {formatTags(budget.scope.tags)}</div> : null}
                {status && (
                  <progress max={100} value={Math.min(100, status.ratio * 100)} aria-label={`${budget.name}: ${formatPercent(status.ratio * 100)} used`} />
                )}
                {status && (
                  <div className="hint">
                    Projected {formatUsd(status.projectedUsd)} by the period's end
                    {status.exhaustsAt && <span data-testid="exhausts-at"> · runs out {localTime(status.exhaustsAt, budget.timezone)} at this rate</span>}
                    {status.usersExceeded !== undefined && ` · limit per user (figures are the top user's), ${status.usersExceeded} over`}
                  </div>
                )}
                {status && (
                  <div className="hint">
                    Resets {localTime(status.periodEnd, budget.timezone)} ({budget.timezone})
                  </div>
                )}
                {isAdmin && editing === null && (
                  <button type="button" onClick={() => setEditing(budget)}>
                    Edit <span className="visually-hidden">{budget.name}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </Panel>
  );
}
