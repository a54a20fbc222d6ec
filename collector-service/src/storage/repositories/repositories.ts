import type { Provider } from '@nestjs/common';
import type { AlertRule } from '../../alerts/alert-rule';
import type { Budget } from '../../budgets/budget';
import type { Channel } from '../../channels/channel';
import type { DigestSubscription } from '../../digests/digest-subscription';
import type { DocumentStore, EntityTables } from '../storage.port';
import {
  ALERT_RULES,
  ALERTS,
  BUDGETS,
  CHANNELS,
  DELIVERIES,
  DIGEST_RUNS,
  DIGEST_SUBSCRIPTIONS,
  DOCUMENTS,
  KEYS_REQUIRED,
  SEEN_TENANTS,
} from '../storage.tokens';
import { StoreAlerts } from './alerts.repository';
import { DocumentDeliveries } from './deliveries.repository';
import { DocumentDigestRuns } from './digest-runs.repository';
import { DocumentRepository, type EntityRepository } from './entity-repository';

export type BudgetsRepository = EntityRepository<Budget>;
export type AlertRulesRepository = EntityRepository<AlertRule>;
export type ChannelsRepository = EntityRepository<Channel>;
export type DigestSubscriptionsRepository = EntityRepository<DigestSubscription>;
export type { AlertsRepository } from './alerts.repository';
export type { DeliveriesRepository } from './deliveries.repository';
export type { DigestRunsRepository } from './digest-runs.repository';
export type { SeenTenants } from './seen-tenants.repository';
export type { KeysRequiredMark } from './keys-required.repository';

const RULE_KIND = 'alert-rule';
const CHANNEL_KIND = 'channel';
const DIGEST_KIND = 'digest';

/** The repositories of one store (what the service injects by token, and what the contract suite runs). */
export function repositoriesOf(documents: DocumentStore & EntityTables) {
  return {
    budgets: documents.budgets,
    alertRules: new DocumentRepository<AlertRule>(documents, RULE_KIND) as AlertRulesRepository,
    channels: new DocumentRepository<Channel>(documents, CHANNEL_KIND) as ChannelsRepository,
    alerts: new StoreAlerts(documents, documents.alertHistory),
    deliveries: new DocumentDeliveries(documents),
    digestSubscriptions: new DocumentRepository<DigestSubscription>(documents, DIGEST_KIND) as DigestSubscriptionsRepository,
    digestRuns: new DocumentDigestRuns(documents),
    seenTenants: documents.seenTenants,
    keysRequired: documents.keysRequired,
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
};
export const REPOSITORY_TOKENS = Object.values(TOKENS);
const REPOSITORIES = Symbol('REPOSITORIES');

/** Each repository under its own token, on the store's documents. */
export const REPOSITORY_PROVIDERS: Provider[] = [
  { provide: REPOSITORIES, inject: [DOCUMENTS], useFactory: repositoriesOf },
  ...(Object.keys(TOKENS) as Array<keyof Repositories>).map((name) => ({
    provide: TOKENS[name],
    inject: [REPOSITORIES],
    useFactory: (r: Repositories) => r[name],
  })),
];
