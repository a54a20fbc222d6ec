import { IncomingWebhook } from '@slack/webhook';
import type { Channel } from '../channel';
import { type AlertNotification, detailLines, headline } from '../notification';
import { DeliveryError, REQUEST_TIMEOUT_MS } from '../retry';

/** A Slack incoming-webhook message: the headline as text (for notifications) and the details as blocks. */
export async function sendSlack(channel: Channel, n: AlertNotification): Promise<void> {
  const hook = new IncomingWebhook(channel.url, { timeout: REQUEST_TIMEOUT_MS });
  const text = headline(n);
  try {
    await hook.send({
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: detailLines(n).join('\n') }] },
      ],
    });
  } catch (err) {
    throw new DeliveryError(`slack: ${(err as Error).message}`);
  }
}
