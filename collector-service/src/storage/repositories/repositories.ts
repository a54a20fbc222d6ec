import type { Provider } from '@nestjs/common';
import type { AlertRule } from '../../alerts/alert-rule';
import type { Budget } from '../../budgets/budget';
import type { Channel } from '../../channels/channel';
import type { DigestSubscription } from '../../digests/digest-subscription';
import type { StoredAdminKey } from '../../billing/admin-keys.service';
import type { AlertRulesSeeded } from '../stored-settings';
import type { EntityTables } from '../storage.port';
import {
  ALERT_RULES,
  ALERTS,
  BUDGETS,
  CHANNELS,
  DELIVERIES,
  DIGEST_RUNS,
  DIGEST_SUBSCRIPTIONS,
  KEYS_REQUIRED,
  PROVIDER_ADMIN_KEYS,
  BILLED_DAYS,
  ALERT_RULES_SEEDED,
  SEEN_TENANTS,
  STORAGE,
} from '../storage.tokens';
import { StoreAlerts } from './alerts.repository';
import type { EntityRepository } from './entity-repository';

export type BudgetsRepository = EntityRepository<Budget>;
export type AlertRulesRepository = EntityRepository<AlertRule>;
export type ChannelsRepository = EntityRepository<Channel>;
export type DigestSubscriptionsRepository = EntityRepository<DigestSubscription>;
export type ProviderAdminKeysRepository = EntityRepository<StoredAdminKey>;
export type AlertRulesSeededRepository = EntityRepository<AlertRulesSeeded>;
export type { AlertsRepository } from './alerts.repository';
export type { DeliveriesRepository } from './deliveries.repository';
export type { DigestRunsRepository } from './digest-runs.repository';
export type { SeenTenants } from './seen-tenants.repository';
export type { KeysRequiredMark } from './keys-required.repository';
export type { BilledDaysRepository } from './billed-days.repository';

/** The repositories of one store (what the service injects by token, and what the contract suite runs). */
export function repositoriesOf(tables: EntityTables) {
  return {
    budgets: tables.budgets,
    alertRules: tables.alertRules,
    channels: tables.channels,
    alerts: new StoreAlerts(tables.alertHistory, tables.openAlerts),
    deliveries: tables.alertDeliveries,
    digestSubscriptions: tables.digestSubscriptions,
    digestRuns: tables.digestRuns,
    seenTenants: tables.seenTenants,
    keysRequired: tables.keysRequired,
    providerAdminKeys: tables.providerAdminKeys,
    billedDays: tables.billedDays,
    alertRulesSeeded: tables.alertRulesSeeded,
  };
}

export type Repositories = ReturnType<typeof repositoriesOf>;

const TOKENS: Record<keyof Repositories, symbol> = {
  budgets: BUDGETS,
  alertRules: ALERT_RULES,
  channels: CHANNELS,
  alerts: ALERTS,
  deliveries: DELIVERIES,
  digestSubscriptions: DIGEST_SUBSCRIPTIONS,
  digestRuns: DIGEST_RUNS,
  seenTenants: SEEN_TENANTS,
  keysRequired: KEYS_REQUIRED,
  providerAdminKeys: PROVIDER_ADMIN_KEYS,
  billedDays: BILLED_DAYS,
  alertRulesSeeded: ALERT_RULES_SEEDED,
};
export const REPOSITORY_TOKENS = Object.values(TOKENS);
const REPOSITORIES = Symbol('REPOSITORIES');

/** Each repository under its own token, on the store's tables. */
export const REPOSITORY_PROVIDERS: Provider[] = [
  { provide: REPOSITORIES, inject: [STORAGE], useFactory: repositoriesOf },
  ...(Object.keys(TOKENS) as Array<keyof Repositories>).map((name) => ({
    provide: TOKENS[name],
    inject: [REPOSITORIES],
    useFactory: (r: Repositories) => r[name],
  })),
];
