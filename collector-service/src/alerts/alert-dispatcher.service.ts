import { Inject, Injectable } from '@nestjs/common';
import type { Channel } from '../channels/channel';
import { ChannelsService, pickChannels } from '../channels/channels.service';
import { type DeliveryRecord, DeliveryService } from '../channels/delivery.service';
import type { AlertsRepository, DeliveriesRepository } from '../storage/repositories/repositories';
import { ALERTS, DELIVERIES } from '../storage/storage.tokens';
import { notificationOf, type OpenAlert, type Resolution, type StoredAlert } from './alert';

/** Channel types that also hear about resolutions: machines that track state. People get the firing only. */
const RESOLUTION_CHANNELS: ReadonlySet<Channel['type']> = new Set(['webhook', 'alertmanager']);

/**
 * Fires and resolves alerts exactly once across every collector instance sharing the store: the
 * instance whose insert wins is the one that delivers; every other one does nothing.
 */
@Injectable()
export class AlertDispatcher {
  constructor(
    @Inject(ALERTS) private readonly alerts: AlertsRepository,
    @Inject(DELIVERIES) private readonly deliveries: DeliveriesRepository,
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
    if (!(await this.alerts.insert(stored))) return false;
    const open: OpenAlert = { ruleId: alert.ruleId, firedAtMs: alert.firedAtMs, delivered: false };
    await this.alerts.putOpen(alert.tenant, alert.id, open);
    await this.deliverAll(stored, null, targets);
    await this.markDelivered(alert.tenant, alert.id);
    return true;
  }

  /**
   * An open alert whose firing was never marked delivered (the instance that fired it stopped before
   * its deliveries ended): one instance, the one whose claim wins, delivers it once more.
   */
  async redeliver(tenant: string, id: string, tenantChannels: readonly Channel[], nowMs: number): Promise<boolean> {
    if (!(await this.alerts.claimRedelivery(tenant, id, nowMs))) return false;
    const [alert, resolution] = await Promise.all([this.alerts.get(tenant, id), this.alerts.resolution(tenant, id)]);
    if (!alert || resolution) return false;
    await this.deliverAll(alert, null, pickChannels(tenantChannels, alert.channels));
    await this.markDelivered(tenant, id);
    return true;
  }

  /** Only while still open: a resolution that came meanwhile removed it, and must not see it return. */
  private async markDelivered(tenant: string, id: string): Promise<void> {
    const open = await this.alerts.getOpen(tenant, id);
    if (open) await this.alerts.putOpen(tenant, id, { ...open, delivered: true });
  }

  async resolve(tenant: string, id: string, reason: string, nowMs: number): Promise<void> {
    const alert = await this.alerts.get(tenant, id);
    const resolution: Resolution = { alertId: id, resolvedAtMs: nowMs, reason };
    const won = alert !== null && (await this.alerts.resolve(tenant, resolution));
    await this.alerts.deleteOpen(tenant, id);
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
        await this.deliveries.save(alert.tenant, alert.id, record);
      }),
    );
  }
}
