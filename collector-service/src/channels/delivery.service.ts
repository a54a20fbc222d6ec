import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { Channel } from './channel';
import type { AlertNotification } from './notification';
import { type RetryPolicy, withRetries } from './retry';
import { sendAlertmanager } from './senders/alertmanager.sender';
import { sendEmail } from './senders/email.sender';
import { sendSlack } from './senders/slack.sender';
import { sendWebhook } from './senders/webhook.sender';

/** The outcome of delivering one notification to one channel, as recorded on the alert. */
export interface DeliveryRecord {
  channelId: string;
  channelType: Channel['type'];
  channelName: string;
  state: AlertNotification['state'];
  ok: boolean;
  attempts: number;
  error: string | null;
  atMs: number;
}

/** Sends notifications through channels, retrying with backoff; never throws (failures are returned to be recorded). */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger('Alerts');
  /** Tests shorten the waits; production uses the configured backoff. */
  retryPolicy: RetryPolicy;

  constructor(@Inject(CONFIG) private readonly config: CollectorConfig) {
    this.retryPolicy = { attempts: config.alertDeliveryAttempts, baseDelayMs: config.alertRetryBaseMs };
  }

  private generatorUrl(n: AlertNotification): string {
    const base = this.config.publicUrl ?? `http://${this.config.host}:${this.config.port}`;
    return `${base}/v1/alerts/${encodeURIComponent(n.id)}?tenant=${encodeURIComponent(n.tenant)}`;
  }

  private send(channel: Channel, n: AlertNotification): Promise<void> {
    switch (channel.type) {
      case 'webhook':
        return sendWebhook(channel, n, Date.now());
      case 'slack':
        return sendSlack(channel, n);
      case 'email':
        return sendEmail(channel, n, this.config.alertEmailFrom);
      case 'alertmanager':
        return sendAlertmanager(channel, n, this.generatorUrl(n));
    }
  }

  async deliver(channel: Channel, n: AlertNotification): Promise<DeliveryRecord> {
    const outcome = await withRetries(this.retryPolicy, () => this.send(channel, n));
    if (!outcome.ok)
      this.logger.warn(
        `alert ${n.id} (${n.state}) could not be delivered to ${channel.type} channel "${channel.name}" after ${outcome.attempts} attempt(s): ${outcome.error}`,
      );
    return {
      channelId: channel.id,
      channelType: channel.type,
      channelName: channel.name,
      state: n.state,
      ok: outcome.ok,
      attempts: outcome.attempts,
      error: outcome.error,
      atMs: Date.now(),
    };
  }
}
