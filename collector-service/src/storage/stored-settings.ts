import type { Channel } from '../channels/channel';
import type { DigestSubscription } from '../digests/digest-subscription';
import type { StoredAdminKey } from '../billing/admin-keys.service';
import { jsonEntityKind } from './money-entities';

/** Channels as both stores keep them (schema migration 17): JSON, in a table (collection) of their own. */
export const STORED_CHANNELS = jsonEntityKind<Channel>('channel', 'channels');

/** Digest subscriptions as both stores keep them (schema migration 17): JSON, in a table (collection) of their own. */
export const STORED_DIGEST_SUBSCRIPTIONS = jsonEntityKind<DigestSubscription>('digest', 'digest_subscriptions');

/** The providers' admin keys set through the API, by tenant and provider, as both stores keep them (schema migration 18). */
export const STORED_PROVIDER_ADMIN_KEYS = jsonEntityKind<StoredAdminKey>('provider-admin-key', 'provider_admin_keys');

/** The mark that a tenant's default alert rules were written (id `defaults`), so a deleted default stays deleted (schema migration 20). */
export interface AlertRulesSeeded {
  id: string;
  atMs: number;
}

/** The tenants whose default alert rules were written, as both stores keep them (schema migration 20). */
export const STORED_ALERT_RULES_SEEDED = jsonEntityKind<AlertRulesSeeded>('alert-rules-seeded', 'alert_rules_seeded');
