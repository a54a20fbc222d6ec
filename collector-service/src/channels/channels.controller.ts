import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { type Principal, tenantOf } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { channelView } from './channel';
import { ChannelsService } from './channels.service';

/** Where alerts go. Admins manage channels; viewers may list them (secrets are never returned). */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiQuery({ name: 'tenant', required: false, description: 'For keys of every tenant: the tenant (default "default")' })
@Controller('v1/channels')
@Roles('admin')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a channel: { type: webhook|slack|email|alertmanager, name, url, to?, secret?, default? }' })
  async create(@Body() body: unknown, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return channelView(await this.channels.create(tenantOf(p, tenant), body));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List channels (without secrets)' })
  async list(@Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return { channels: (await this.channels.list(tenantOf(p, tenant))).map(channelView) };
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One channel (without its secret)' })
  async one(@Param('id') id: string, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return channelView(await this.channels.get(tenantOf(p, tenant), id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a channel (any field but type)' })
  async update(@Param('id') id: string, @Body() body: unknown, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return channelView(await this.channels.update(tenantOf(p, tenant), id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel' })
  remove(@Param('id') id: string, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal): Promise<void> {
    return this.channels.remove(tenantOf(p, tenant), id);
  }
}
