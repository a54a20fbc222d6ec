import type { CreateChannelDto, UpdateChannelDto } from './channel.dto';
import { badField } from './field-error';

export const CHANNEL_TYPES = ['webhook', 'slack', 'email', 'alertmanager'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A channel as stored. `secret` (and credentials inside `url`) never leave the service. */
export interface Channel {
  id: string;
  type: ChannelType;
  name: string;
  /** webhook: the receiver; slack: the incoming-webhook URL; email: smtp(s)://user:pass@host:port; alertmanager: its base URL. */
  url: string;
  /** email recipients. */
  to: string[] | null;
  /** webhook: the HMAC key; alertmanager: a bearer token (optional). */
  secret: string | null;
  /** Alerts whose rule names no channel go to the tenant's default channels. */
  default: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export type ChannelInput = Omit<Channel, 'id' | 'createdAtMs' | 'updatedAtMs'>;

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const URL_SCHEMES: Record<ChannelType, string[]> = {
  webhook: ['http:', 'https:'],
  slack: ['http:', 'https:'],
  alertmanager: ['http:', 'https:'],
  email: ['smtp:', 'smtps:'],
};

function checkUrl(type: ChannelType, url: string | null | undefined): string {
  if (url === undefined || url === null) throw badField('url', `is required for a ${type} channel`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badField('url', `must be an absolute URL, got "${url}"`);
  }
  if (!URL_SCHEMES[type].includes(parsed.protocol))
    throw badField('url', `of a ${type} channel must start with ${URL_SCHEMES[type].map((s) => `${s}//`).join(' or ')}`);
  return url;
}

/** E-mail recipients as a list: from one address, a comma-separated list or a list of 1-50; null when they are none of these. */
export function recipientsOf(value: unknown): string[] | null {
  const list: unknown = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 50 || !list.every((a) => typeof a === 'string' && EMAIL.test(a))) return null;
  return list as string[];
}

/** Recipients the DTO has checked, or none. */
const recipients = (value: string | string[] | null | undefined): string[] | null => (value === undefined || value === null ? null : recipientsOf(value));

/** Checks a whole channel (after create or patch): every type's required fields. */
export function checkChannel(input: ChannelInput): ChannelInput {
  checkUrl(input.type, input.url);
  if (input.type === 'webhook' && (input.secret === null || input.secret.length < 16))
    throw badField('secret', 'is required for a webhook channel (at least 16 characters): receivers verify the Tokenledger-Signature header with it');
  if (input.type === 'email' && input.to === null) throw badField('to', 'is required for an email channel');
  if (input.type !== 'email' && input.to !== null) throw badField('to', `applies only to email channels, not ${input.type}`);
  return input;
}

/** A new channel from its checked body. */
export function parseChannel(body: CreateChannelDto): ChannelInput {
  return checkChannel({
    type: body.type,
    name: body.name,
    url: checkUrl(body.type, body.url),
    to: recipients(body.to),
    secret: body.secret ?? null,
    default: body.default ?? false,
  });
}

/** A PATCH body applied to a stored channel; the type cannot change (make a new channel instead). */
export function patchChannel(current: Channel, body: UpdateChannelDto): ChannelInput {
  if (body.type !== undefined && body.type !== current.type) throw badField('type', 'cannot change; create a new channel instead');
  return checkChannel({
    type: current.type,
    name: body.name ?? current.name,
    url: body.url ?? current.url,
    to: body.to === undefined ? current.to : recipients(body.to),
    secret: body.secret === undefined ? current.secret : body.secret,
    default: body.default ?? current.default,
  });
}

/** A URL as the API shows it: no password, and for Slack (whose URL is its credential) only the origin. */
export function redactedUrl(type: ChannelType, url: string): string {
  const parsed = new URL(url);
  if (type === 'slack') return `${parsed.origin}/…`;
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** A channel as the API returns it: never its secret. */
export function channelView(c: Channel) {
  return {
    id: c.id,
    type: c.type,
    name: c.name,
    url: redactedUrl(c.type, c.url),
    to: c.to,
    hasSecret: c.secret !== null,
    default: c.default,
    createdAt: new Date(c.createdAtMs).toISOString(),
    updatedAt: new Date(c.updatedAtMs).toISOString(),
  };
}
