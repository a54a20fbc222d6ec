import { Inject, Injectable } from '@nestjs/common';
import type { Channel } from '../channels/channel';
import { ChannelsService, pickChannels } from '../channels/channels.service';
import { type DeliveryRecord, DeliveryService } from '../channels/delivery.service';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { ALERT_KIND, DELIVERY_KIND, notificationOf, OPEN_KIND, type OpenAlert, REDELIVERY_KIND, RESOLUTION_KIND, type Resolution, type StoredAlert } from './alert';

/** Channel types that also hear about resolutions: machines that track state. People get the firing only. */
const RESOLUTION_CHANNELS: ReadonlySet<Channel['type']> = new Set(['webhook', 'alertmanager']);

/**
 * Fires and resolves alerts exactly once across every collector instance sharing the store: the
 * instance whose insertOnce wins is the one that delivers; every other one does nothing.
 */
@Injectable()
export class AlertDispatcher {
  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    private readonly channels: ChannelsService,
    private readonly delivery: DeliveryService,
  ) {}

  /**
   * Returns false when the alert had already fired (here or in another instance). `tenantChannels`:
   * the tenant's channels, when the caller already read them.
   */
  async fire(alert: StoredAlert, channelIds: string[], tenantChannels?: readonly Channel[]): Promise<boolean> {
    const targets = tenantChannels ? pickChannels(tenantChannels, channelIds) : await this.channels.resolve(alert.tenant, channelIds);
    const stored: StoredAlert = { ...alert, channels: targets.map((c) => c.id) };
    if (!(await this.storage.insertOnce(ALERT_KIND, alert.tenant, alert.id, { ...stored }))) return false;
    const open: OpenAlert = { ruleId: alert.ruleId, firedAtMs: alert.firedAtMs, delivered: false };
    await this.storage.putDocument(OPEN_KIND, alert.tenant, alert.id, { ...open });
    await this.deliverAll(stored, null, targets);
    await this.markDelivered(alert.tenant, alert.id);
    return true;
  }

  /**
   * An open alert whose firing was never marked delivered (the instance that fired it stopped before
   * its deliveries ended): one instance, the one whose claim wins, delivers it once more.
   */
  async redeliver(tenant: string, id: string, tenantChannels: readonly Channel[], nowMs: number): Promise<boolean> {
    if (!(await this.storage.insertOnce(REDELIVERY_KIND, tenant, id, { atMs: nowMs }))) return false;
    const [alert, resolution] = await Promise.all([this.storage.getDocument<StoredAlert & Record<string, unknown>>(ALERT_KIND, tenant, id), this.storage.getDocument(RESOLUTION_KIND, tenant, id)]);
    if (!alert || resolution) return false;
    await this.deliverAll(alert, null, pickChannels(tenantChannels, alert.channels));
    await this.markDelivered(tenant, id);
    return true;
  }

  /** Only while still open: a resolution that came meanwhile removed it, and must not see it return. */
  private async markDelivered(tenant: string, id: string): Promise<void> {
    const open = await this.storage.getDocument<OpenAlert & Record<string, unknown>>(OPEN_KIND, tenant, id);
    if (open) await this.storage.putDocument(OPEN_KIND, tenant, id, { ...open, delivered: true });
  }

  async resolve(tenant: string, id: string, reason: string, nowMs: number): Promise<void> {
    const alert = await this.storage.getDocument<StoredAlert & Record<string, unknown>>(ALERT_KIND, tenant, id);
    const resolution: Resolution = { alertId: id, resolvedAtMs: nowMs, reason };
    const won = alert !== null && (await this.storage.insertOnce(RESOLUTION_KIND, tenant, id, { ...resolution }));
    await this.storage.deleteDocument(OPEN_KIND, tenant, id);
    if (!won) return;
    const targets = (await this.channels.resolve(tenant, alert.channels)).filter((c) => RESOLUTION_CHANNELS.has(c.type));
    await this.deliverAll(alert, resolution, targets);
  }

  /** Every channel in parallel; each outcome, failures included, is recorded on the alert. */
  private async deliverAll(alert: StoredAlert, resolution: Resolution | null, targets: Channel[]): Promise<void> {
    const notification = notificationOf(alert, resolution);
    await Promise.all(
      targets.map(async (channel) => {
        const record: DeliveryRecord = await this.delivery.deliver(channel, notification);
        await this.storage.putDocument(DELIVERY_KIND, alert.tenant, `${alert.id}.${notification.state}.${channel.id}`, { alertId: alert.id, ...record });
      }),
    );
  }
}
