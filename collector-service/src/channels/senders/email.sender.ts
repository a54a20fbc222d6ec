import { createTransport } from 'nodemailer';
import type { Channel } from '../channel';
import { type Digest, digestEmail } from '../digest-message';
import { type AlertNotification, detailLines, headline } from '../notification';
import { DeliveryError, REQUEST_TIMEOUT_MS } from '../retry';

/** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...:465 (TLS from the start). */
export function smtpOptions(url: string) {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    connectionTimeout: REQUEST_TIMEOUT_MS,
    greetingTimeout: REQUEST_TIMEOUT_MS,
    socketTimeout: REQUEST_TIMEOUT_MS,
  };
}

/** One plain-text e-mail over the channel's SMTP URL; a 5xx from the server (bad recipient) is not retried. */
async function mail(channel: Channel, from: string, message: { subject: string; text: string; headers: Record<string, string> }): Promise<void> {
  const transport = createTransport(smtpOptions(channel.url));
  try {
    await transport.sendMail({ from, to: channel.to!, ...message });
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    throw new DeliveryError(`email: ${(err as Error).message}`, code !== undefined && code >= 500);
  } finally {
    transport.close();
  }
}

export function sendEmail(channel: Channel, n: AlertNotification, from: string): Promise<void> {
  return mail(channel, from, {
    subject: `[tokenledger] ${headline(n)}`,
    text: `${headline(n)}\n\n${detailLines(n).join('\n')}\n`,
    headers: { 'X-Tokenledger-Alert-Id': n.id, 'X-Tokenledger-Alert-State': n.state },
  });
}

export const sendDigestEmail = (channel: Channel, d: Digest, from: string): Promise<void> => mail(channel, from, digestEmail(d));
