import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { Channel } from './channel';
import type { AlertNotification } from './notification';
import type { Digest } from './digest-message';
import { DeliveryError, type RetryPolicy, withRetries } from './retry';
import { sendAlertmanager } from './senders/alertmanager.sender';
import { sendDigestEmail, sendEmail } from './senders/email.sender';
import { sendDigestSlack, sendSlack } from './senders/slack.sender';
import { sendDigestWebhook, sendWebhook } from './senders/webhook.sender';

/** How sending one message to one channel went, its retries included. */
export interface ChannelOutcome {
  channelId: string;
  channelType: Channel['type'];
  channelName: string;
  ok: boolean;
  attempts: number;
  error: string | null;
  atMs: number;
}

/** The outcome of delivering one notification to one channel, as recorded on the alert. */
export interface DeliveryRecord extends ChannelOutcome {
  state: AlertNotification['state'];
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

  /** Digests are reports for people and their tools: Alertmanager takes alerts only. */
  private sendDigest(channel: Channel, d: Digest): Promise<void> {
    switch (channel.type) {
      case 'webhook':
        return sendDigestWebhook(channel, d, Date.now());
      case 'slack':
        return sendDigestSlack(channel, d);
      case 'email':
        return sendDigestEmail(channel, d, this.config.alertEmailFrom);
      case 'alertmanager':
        return Promise.reject(new DeliveryError('alertmanager channels take alerts, not digests', true));
    }
  }

  async deliver(channel: Channel, n: AlertNotification): Promise<DeliveryRecord> {
    return { ...(await this.attempt(channel, `alert ${n.id} (${n.state})`, () => this.send(channel, n))), state: n.state };
  }

  deliverDigest(channel: Channel, d: Digest): Promise<ChannelOutcome> {
    return this.attempt(channel, `digest ${d.id}`, () => this.sendDigest(channel, d));
  }

  private async attempt(channel: Channel, what: string, send: () => Promise<void>): Promise<ChannelOutcome> {
    const outcome = await withRetries(this.retryPolicy, send);
    if (!outcome.ok)
      this.logger.warn(`${what} could not be delivered to ${channel.type} channel "${channel.name}" after ${outcome.attempts} attempt(s): ${outcome.error}`);
    return {
      channelId: channel.id,
      channelType: channel.type,
      channelName: channel.name,
      ok: outcome.ok,
      attempts: outcome.attempts,
      error: outcome.error,
      atMs: Date.now(),
    };
  }
}
