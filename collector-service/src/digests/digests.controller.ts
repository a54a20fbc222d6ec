import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { Tenant } from '../auth/tenant.decorator';
import { ApiInputErrors, ApiNotFound } from '../http/api-errors';
import { DigestDto, DigestSubscriptionDto, DigestSubscriptionListDto, SentDigestListDto } from './digest-response.dto';
import { CreateDigestDto, UpdateDigestDto } from './digest.dto';
import { DigestsService } from './digests.service';

/** Scheduled spend digests: admins change them, viewers read them and what they sent. */
@ApiTags('digests')
@ApiBearerAuth()
@Controller('v1/digests')
@Roles('admin')
export class DigestsController {
  constructor(private readonly digests: DigestsService) {}

  @Post()
  @ApiOperation({ summary: 'Subscribe to a daily or weekly spend digest, sent to channels at a local hour' })
  @ApiCreatedResponse({ type: DigestSubscriptionDto })
  @ApiInputErrors()
  create(@Body() body: CreateDigestDto, @Tenant() tenant: string) {
    return this.digests.create(tenant, body);
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "The tenant's digest subscriptions" })
  @ApiOkResponse({ type: DigestSubscriptionListDto })
  async list(@Tenant() tenant: string) {
    return { digests: await this.digests.list(tenant) };
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One digest subscription' })
  @ApiOkResponse({ type: DigestSubscriptionDto })
  @ApiNotFound('digest')
  one(@Param('id') id: string, @Tenant() tenant: string) {
    return this.digests.get(tenant, id);
  }

  @Get(':id/sent')
  @Roles('viewer')
  @ApiOperation({ summary: 'The digests sent, newest period first, with their content and each channel delivery' })
  @ApiOkResponse({ type: SentDigestListDto })
  @ApiNotFound('digest')
  sent(@Param('id') id: string, @Tenant() tenant: string) {
    return this.digests.sent(tenant, id);
  }

  @Get(':id/preview')
  @Roles('viewer')
  @ApiOperation({ summary: 'The digest of the latest due period as it reads now, not sent' })
  @ApiOkResponse({ type: DigestDto })
  @ApiNotFound('digest')
  preview(@Param('id') id: string, @Tenant() tenant: string) {
    return this.digests.preview(tenant, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a digest (name, cadence, weekday, hour, timezone, channels, enabled)' })
  @ApiOkResponse({ type: DigestSubscriptionDto })
  @ApiInputErrors()
  @ApiNotFound('digest')
  update(@Param('id') id: string, @Body() body: UpdateDigestDto, @Tenant() tenant: string) {
    return this.digests.update(tenant, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a digest subscription' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFound('digest')
  remove(@Param('id') id: string, @Tenant() tenant: string): Promise<void> {
    return this.digests.remove(tenant, id);
  }
}
