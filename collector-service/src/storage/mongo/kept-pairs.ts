import type { Collection } from 'mongodb';
import type { ChainDoc } from './heads';
import { upsert } from './inserts';
import type { PairName } from './pair-days';

const keptId = (tenant: string) => JSON.stringify(['pairs', tenant]);

/**
 * Which pairs of dimensions each tenant keeps pair rollups for (see pair-days.ts): one document per
 * tenant beside the chain, so every instance's compaction keeps the same pairs. Written only when it
 * changes: every instance states its tenants' pairs on each budget sync.
 */
export class KeptPairs {
  /** What this process wrote or read last per tenant. */
  private readonly known = new Map<string, string>();

  constructor(private readonly docs: Collection<ChainDoc>) {}

  async keep(tenant: string, pairs: readonly PairName[]): Promise<void> {
    const text = JSON.stringify(pairs);
    if (this.known.get(tenant) === text) return;
    if (JSON.stringify(await this.of(tenant)) !== text) await upsert(this.docs, keptId(tenant), { kind: 'pairs', tenant, pairs: [...pairs] });
    this.known.set(tenant, text);
  }

  async of(tenant: string): Promise<PairName[]> {
    const doc = await this.docs.findOne({ _id: keptId(tenant) });
    return (doc?.pairs as PairName[] | undefined) ?? [];
  }

  /** Tenants that keep (or kept) pairs. */
  async tenants(): Promise<string[]> {
    return (await this.docs.distinct('tenant', { kind: 'pairs' })).sort();
  }
}
