import { randomBytes } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { ChannelsRepository } from '../storage/repositories/repositories';
import { CHANNELS } from '../storage/storage.tokens';
import { type Channel, CHANNEL_TYPES, type ChannelType, parseChannel, patchChannel } from './channel';
import type { CreateChannelDto, UpdateChannelDto } from './channel.dto';
import { badField } from './field-error';

/** A tenant's alert channels. */
@Injectable()
export class ChannelsService {
  constructor(@Inject(CHANNELS) private readonly repository: ChannelsRepository) {}

  async create(tenant: string, body: CreateChannelDto, nowMs = Date.now()): Promise<Channel> {
    const channel: Channel = { id: `ch_${randomBytes(8).toString('hex')}`, ...parseChannel(body), createdAtMs: nowMs, updatedAtMs: nowMs };
    await this.repository.save(tenant, channel);
    return channel;
  }

  async list(tenant: string): Promise<Channel[]> {
    return (await this.repository.list(tenant)).sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id));
  }

  async get(tenant: string, id: string): Promise<Channel> {
    const channel = await this.repository.get(tenant, id);
    if (!channel) throw new NotFoundException(`no channel with id "${id}"`);
    return channel;
  }

  async update(tenant: string, id: string, body: UpdateChannelDto, nowMs = Date.now()): Promise<Channel> {
    const current = await this.get(tenant, id);
    const channel: Channel = { ...current, ...patchChannel(current, body), updatedAtMs: nowMs };
    await this.repository.save(tenant, channel);
    return channel;
  }

  async remove(tenant: string, id: string): Promise<void> {
    if (!(await this.repository.remove(tenant, id))) throw new NotFoundException(`no channel with id "${id}"`);
  }

  /**
   * Refuses channel ids the tenant does not have (a rule or digest naming one would reach nobody), and
   * channels of a type outside `types`, naming the `channels` field.
   */
  async checkNamed(tenant: string, ids: readonly string[], types: readonly ChannelType[] = CHANNEL_TYPES): Promise<void> {
    if (ids.length === 0) return;
    const known = new Map((await this.list(tenant)).map((c) => [c.id, c.type]));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) throw badField('channels', `names channels this tenant does not have: ${missing.join(', ')} (see GET /v1/channels)`);
    const refused = ids.filter((id) => !types.includes(known.get(id)!));
    if (refused.length > 0)
      throw badField('channels', `names channels of a type that cannot take this (${refused.join(', ')}); use ${types.join(', ')} channels`);
  }

  /** Tenants that have channels. */
  async tenants(): Promise<string[]> {
    return (await this.repository.listAll()).map((e) => e.tenant);
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
