import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InputError } from '../http/input-error';
import { DEFAULT_TENANT } from '../auth/principal';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import type { SetAdminKeyDto } from './admin-key.dto';
import type { AdminAccess } from './bill-sources';
import { BILLED_PROVIDERS, type BilledProvider } from './billed-day';

/** A tenant's admin key for one provider, as stored; the key is never returned by the API. */
interface StoredAdminKey {
  key: string;
  /** Null: the configured base URL (the real API unless the operator says otherwise). */
  baseUrl: string | null;
  updatedAtMs: number;
}

export const ADMIN_KEY_KIND = 'provider-admin-key';

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
    @Inject(STORAGE) private readonly storage: StoragePort,
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
    const stored = await this.storage.getDocument<StoredAdminKey & Record<string, unknown>>(ADMIN_KEY_KIND, tenant, provider);
    if (stored) return { key: stored.key, baseUrl: stored.baseUrl ?? this.defaultBaseUrl(provider) };
    const key = this.environmentKey(tenant, provider);
    return key ? { key, baseUrl: this.defaultBaseUrl(provider) } : null;
  }

  /** Every configured key of a tenant (null: of every tenant). */
  async list(tenant: string | null): Promise<ConfiguredKey[]> {
    const stored = await this.storage.listDocuments<StoredAdminKey & Record<string, unknown>>(ADMIN_KEY_KIND, tenant);
    const keys: ConfiguredKey[] = stored.map((e) => ({
      tenant: e.tenant,
      provider: e.id as BilledProvider,
      source: 'api',
      baseUrl: e.doc.baseUrl ?? this.defaultBaseUrl(e.id as BilledProvider),
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
    const stored: StoredAdminKey = { key: input.key.trim(), baseUrl, updatedAtMs: nowMs };
    await this.storage.putDocument(ADMIN_KEY_KIND, tenant, provider, { ...stored });
    return { tenant, provider, source: 'api', baseUrl: baseUrl ?? this.defaultBaseUrl(provider) };
  }

  async remove(tenant: string, provider: BilledProvider): Promise<void> {
    if (!(await this.storage.deleteDocument(ADMIN_KEY_KIND, tenant, provider)))
      throw new NotFoundException(`no ${provider} admin key was set for tenant "${tenant}" through the API`);
  }
}
