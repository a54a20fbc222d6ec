import { getJson } from '../api';
import type { TenantList } from '../types';
import { useApi } from '../use-api';

/** For a key of every tenant: which tenant every page reports on. */
export function TenantPicker({ value, onChange }: { value: string; onChange: (tenant: string) => void }) {
  const list = useApi(() => getJson<TenantList>('/v1/tenants'), 'tenants');
  // The tenant in the address stays selectable even before the list arrives (or if it has no data yet).
  const tenants = [...new Set([value, ...(list.data?.tenants ?? [])])].sort();
  return (
    <label className="tenant-picker">
      Tenant
      <select name="tenant" value={value} onChange={(e) => onChange(e.target.value)} data-testid="tenant-picker">
        {tenants.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );
}
