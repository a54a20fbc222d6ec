import { FILTER_LABELS, FILTER_NAMES, type FilterName, PERIODS, type PeriodChoice, type Scope } from '../scope';
import { ZonePicker } from './zone-picker';

/** Period, time zone and (optionally) every report filter; each change applies at once. */
export function ScopeBar({ scope, onChange, showFilters }: { scope: Scope; onChange: (s: Scope) => void; showFilters: boolean }) {
  const setFilter = (name: FilterName, value: string) => {
    const filters = { ...scope.filters };
    if (value.trim()) filters[name] = value.trim();
    else delete filters[name];
    onChange({ ...scope, filters });
  };
  return (
    <form className="scope-bar" aria-label="Report period and filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        Period
        <select name="period" value={scope.period} onChange={(e) => onChange({ ...scope, period: e.target.value as PeriodChoice })}>
          {PERIODS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      {scope.period === 'custom' && (
        <>
          <label>
            From
            <input type="date" name="from" value={scope.from} max={scope.to} onChange={(e) => e.target.value && onChange({ ...scope, from: e.target.value })} />
          </label>
          <label>
            To
            <input type="date" name="to" value={scope.to} min={scope.from} onChange={(e) => e.target.value && onChange({ ...scope, to: e.target.value })} />
          </label>
        </>
      )}
      <ZonePicker name="tz" value={scope.tz} onChange={(tz) => onChange({ ...scope, tz })} />
      {showFilters &&
        FILTER_NAMES.map((name) => (
          <label key={name}>
            {FILTER_LABELS[name]}
            <input
              type="search"
              name={name}
              defaultValue={scope.filters[name] ?? ''}
              placeholder="any"
              // Applied on Enter or when leaving the field, not per keystroke (each change reloads every report).
              onBlur={(e) => setFilter(name, e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && setFilter(name, (e.target as HTMLInputElement).value)}
            />
          </label>
        ))}
    </form>
  );
}
