import { IncomingWebhook, type IncomingWebhookSendArguments } from '@slack/webhook';
import type { Channel } from '../channel';
import { type Digest, digestSlackMessage } from '../digest-message';
import { type AlertNotification, detailLines, headline } from '../notification';
import { DeliveryError, REQUEST_TIMEOUT_MS } from '../retry';

async function postSlack(channel: Channel, message: IncomingWebhookSendArguments): Promise<void> {
  const hook = new IncomingWebhook(channel.url, { timeout: REQUEST_TIMEOUT_MS });
  try {
    await hook.send(message);
  } catch (err) {
    throw new DeliveryError(`slack: ${(err as Error).message}`);
  }
}

/** A Slack incoming-webhook message: the headline as text (for notifications) and the details as blocks. */
export function sendSlack(channel: Channel, n: AlertNotification): Promise<void> {
  const text = headline(n);
  return postSlack(channel, {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: detailLines(n).join('\n') }] },
    ],
  });
}

export const sendDigestSlack = (channel: Channel, d: Digest): Promise<void> => postSlack(channel, digestSlackMessage(d));
