import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { channelView } from './channel';
import { ChannelsService } from './channels.service';

/** Where alerts go. Admins manage channels; viewers may list them (secrets are never returned). */
@ApiTags('alerts')
@ApiBearerAuth()
@Controller('v1/channels')
@Roles('admin')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a channel: { type: webhook|slack|email|alertmanager, name, url, to?, secret?, default? }' })
  async create(@Body() body: unknown, @Tenant() tenant: string) {
    return channelView(await this.channels.create(tenant, body));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List channels (without secrets)' })
  async list(@Tenant() tenant: string) {
    return { channels: (await this.channels.list(tenant)).map(channelView) };
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One channel (without its secret)' })
  async one(@Param('id') id: string, @Tenant() tenant: string) {
    return channelView(await this.channels.get(tenant, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a channel (any field but type)' })
  async update(@Param('id') id: string, @Body() body: unknown, @Tenant() tenant: string) {
    return channelView(await this.channels.update(tenant, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel' })
  remove(@Param('id') id: string, @Tenant() tenant: string): Promise<void> {
    return this.channels.remove(tenant, id);
  }
}
