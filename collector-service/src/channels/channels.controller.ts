import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiInputErrors, ApiNotFound } from '../http/api-errors';
import { channelView } from './channel';
import { ChannelDto, ChannelListDto, CreateChannelDto, UpdateChannelDto } from './channel.dto';
import { ChannelsService } from './channels.service';

/** Where alerts go. Admins manage channels; viewers may list them (secrets are never returned). */
@ApiTags('alerts')
@Controller('v1/channels')
@Roles('admin')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a channel' })
  @ApiCreatedResponse({ type: ChannelDto })
  @ApiInputErrors()
  async create(@Body() body: CreateChannelDto, @Tenant() tenant: string): Promise<ChannelDto> {
    return channelView(await this.channels.create(tenant, body));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List channels (without secrets)' })
  @ApiOkResponse({ type: ChannelListDto })
  async list(@Tenant() tenant: string): Promise<ChannelListDto> {
    return { channels: (await this.channels.list(tenant)).map(channelView) };
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One channel (without its secret)' })
  @ApiOkResponse({ type: ChannelDto })
  @ApiNotFound('channel')
  async one(@Param('id') id: string, @Tenant() tenant: string): Promise<ChannelDto> {
    return channelView(await this.channels.get(tenant, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a channel (any field but type)' })
  @ApiOkResponse({ type: ChannelDto })
  @ApiInputErrors()
  @ApiNotFound('channel')
  async update(@Param('id') id: string, @Body() body: UpdateChannelDto, @Tenant() tenant: string): Promise<ChannelDto> {
    return channelView(await this.channels.update(tenant, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a channel' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFound('channel')
  remove(@Param('id') id: string, @Tenant() tenant: string): Promise<void> {
    return this.channels.remove(tenant, id);
  }
}
