import { randomBytes } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { type Channel, parseChannel, patchChannel } from './channel';
import { objectBody } from './field-error';

export const CHANNEL_KIND = 'channel';

/** A tenant's alert channels, as documents in the store. */
@Injectable()
export class ChannelsService {
  constructor(@Inject(STORAGE) private readonly storage: StoragePort) {}

  async create(tenant: string, body: unknown, nowMs = Date.now()): Promise<Channel> {
    const channel: Channel = { id: `ch_${randomBytes(8).toString('hex')}`, ...parseChannel(objectBody(body)), createdAtMs: nowMs, updatedAtMs: nowMs };
    await this.storage.putDocument(CHANNEL_KIND, tenant, channel.id, { ...channel });
    return channel;
  }

  async list(tenant: string): Promise<Channel[]> {
    const entries = await this.storage.listDocuments<Channel & Record<string, unknown>>(CHANNEL_KIND, tenant);
    return entries.map((e) => e.doc).sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
  }

  async get(tenant: string, id: string): Promise<Channel> {
    const channel = await this.storage.getDocument<Channel & Record<string, unknown>>(CHANNEL_KIND, tenant, id);
    if (!channel) throw new NotFoundException(`no channel with id "${id}"`);
    return channel;
  }

  async update(tenant: string, id: string, body: unknown, nowMs = Date.now()): Promise<Channel> {
    const current = await this.get(tenant, id);
    const channel: Channel = { ...current, ...patchChannel(current, objectBody(body)), updatedAtMs: nowMs };
    await this.storage.putDocument(CHANNEL_KIND, tenant, id, { ...channel });
    return channel;
  }

  async remove(tenant: string, id: string): Promise<void> {
    if (!(await this.storage.deleteDocument(CHANNEL_KIND, tenant, id))) throw new NotFoundException(`no channel with id "${id}"`);
  }

  /** The channels an alert goes to: the named ones that still exist, or the tenant's defaults when none is named. */
  async resolve(tenant: string, ids: readonly string[]): Promise<Channel[]> {
    return pickChannels(await this.list(tenant), ids);
  }
}

/** Of a tenant's channels, the named ones, or the defaults when none is named. */
export function pickChannels(all: readonly Channel[], ids: readonly string[]): Channel[] {
  return ids.length === 0 ? all.filter((c) => c.default) : all.filter((c) => ids.includes(c.id));
}
