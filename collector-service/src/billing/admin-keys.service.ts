import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InputError } from '../http/input-error';
import { DEFAULT_TENANT } from '../auth/principal';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { ProviderAdminKeysRepository } from '../storage/repositories/repositories';
import { PROVIDER_ADMIN_KEYS } from '../storage/storage.tokens';
import type { SetAdminKeyDto } from './admin-key.dto';
import type { AdminAccess } from './bill-sources';
import { BILLED_PROVIDERS, type BilledProvider } from './billed-day';

/** A tenant's admin key for one provider (its id), as stored; the key is never returned by the API. */
export interface StoredAdminKey {
  id: BilledProvider;
  key: string;
  /** Null: the configured base URL (the real API unless the operator says otherwise). */
  baseUrl: string | null;
  updatedAtMs: number;
}

/** A configured organization admin key, without the key. */
export interface ConfiguredKey {
  tenant: string;
  provider: BilledProvider;
  /** `api`: set through PUT /v1/provider-bills/keys/:provider; `environment`: TOKENLEDGER_*_ADMIN_KEY (tenant `default`). */
  source: 'api' | 'environment';
  baseUrl: string;
}

export function checkProvider(value: unknown): BilledProvider {
  if (typeof value !== 'string' || !(BILLED_PROVIDERS as readonly string[]).includes(value)) {
    throw new InputError('parameter', 'provider', `must be one of ${BILLED_PROVIDERS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as BilledProvider;
}

/**
 * The organization admin keys bills are imported with: per tenant through the API (stored like a
 * channel's secret, never shown again), and for `default` also from the environment
 * (TOKENLEDGER_OPENAI_ADMIN_KEY, TOKENLEDGER_ANTHROPIC_ADMIN_KEY); a key set through the API wins.
 */
@Injectable()
export class AdminKeysService {
  constructor(
    @Inject(PROVIDER_ADMIN_KEYS) private readonly repository: ProviderAdminKeysRepository,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  private defaultBaseUrl(provider: BilledProvider): string {
    return provider === 'openai' ? this.config.openaiAdminBaseUrl : this.config.anthropicAdminBaseUrl;
  }

  private environmentKey(tenant: string, provider: BilledProvider): string | null {
    if (tenant !== DEFAULT_TENANT) return null;
    return provider === 'openai' ? this.config.openaiAdminKey : this.config.anthropicAdminKey;
  }

  async access(tenant: string, provider: BilledProvider): Promise<AdminAccess | null> {
    const stored = await this.repository.get(tenant, provider);
    if (stored) return { key: stored.key, baseUrl: stored.baseUrl ?? this.defaultBaseUrl(provider) };
    const key = this.environmentKey(tenant, provider);
    return key ? { key, baseUrl: this.defaultBaseUrl(provider) } : null;
  }

  /** Every configured key of a tenant (null: of every tenant). */
  async list(tenant: string | null): Promise<ConfiguredKey[]> {
    const stored = tenant === null ? await this.repository.listAll() : (await this.repository.list(tenant)).map((entity) => ({ tenant, entity }));
    const keys: ConfiguredKey[] = stored.map((e) => ({
      tenant: e.tenant,
      provider: e.entity.id,
      source: 'api',
      baseUrl: e.entity.baseUrl ?? this.defaultBaseUrl(e.entity.id),
    }));
    if (tenant === null || tenant === DEFAULT_TENANT) {
      for (const provider of BILLED_PROVIDERS) {
        if (this.environmentKey(DEFAULT_TENANT, provider) && !keys.some((k) => k.tenant === DEFAULT_TENANT && k.provider === provider)) {
          keys.push({ tenant: DEFAULT_TENANT, provider, source: 'environment', baseUrl: this.defaultBaseUrl(provider) });
        }
      }
    }
    return keys.sort((a, b) => (a.tenant === b.tenant ? (a.provider < b.provider ? -1 : 1) : a.tenant < b.tenant ? -1 : 1));
  }

  async set(tenant: string, provider: BilledProvider, input: SetAdminKeyDto, nowMs: number): Promise<ConfiguredKey> {
    const baseUrl = input.baseUrl ? input.baseUrl.replace(/\/+$/, '') : null;
    await this.repository.save(tenant, { id: provider, key: input.key.trim(), baseUrl, updatedAtMs: nowMs });
    return { tenant, provider, source: 'api', baseUrl: baseUrl ?? this.defaultBaseUrl(provider) };
  }

  async remove(tenant: string, provider: BilledProvider): Promise<void> {
    if (!(await this.repository.remove(tenant, provider)))
      throw new NotFoundException(`no ${provider} admin key was set for tenant "${tenant}" through the API`);
  }
}
