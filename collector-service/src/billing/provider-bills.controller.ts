import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { ApiInputErrors } from '../http/api-errors';
import { SetAdminKeyDto } from './admin-key.dto';
import { AdminKeyDto, AdminKeyListDto, BilledDayListDto, BilledDaysQueryDto, SyncQueryDto, SyncResultsDto } from './provider-bills.dto';
import { Roles } from '../auth/roles.decorator';
import type { BilledDaysRepository } from '../storage/repositories/repositories';
import { BILLED_DAYS } from '../storage/storage.tokens';
import { AdminKeysService, checkProvider } from './admin-keys.service';
import { BillSyncService, scheduledWindow } from './bill-sync.service';
import { BILLED_PROVIDERS, billedDayView, dayStartMs } from './billed-day';
import { utcDays } from '../time/utc-days';

/** The providers' bills: import them (admin), read what was imported (viewer), set the admin keys they are pulled with (admin). */
@ApiTags('provider bills')
@ApiBearerAuth()
@Controller('v1/provider-bills')
export class ProviderBillsController {
  constructor(
    private readonly sync: BillSyncService,
    private readonly keys: AdminKeysService,
    @Inject(BILLED_DAYS) private readonly billedDays: BilledDaysRepository,
  ) {}

  @Post('sync')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: "Import the providers' bills for whole UTC days now (default: the previous and current month); each day replaces what was imported for it",
  })
  @ApiOkResponse({ type: SyncResultsDto, description: "Each provider's import: days stored, or why it failed" })
  @ApiInputErrors()
  async syncNow(@Query() q: SyncQueryDto, @Tenant() tenant: string): Promise<SyncResultsDto> {
    const { fromMs, toMs } = q.from === undefined && q.to === undefined ? scheduledWindow(Date.now()) : utcDays(q);
    const providers = q.provider === undefined ? [...BILLED_PROVIDERS] : [q.provider];
    const results = [];
    for (const provider of providers) results.push(await this.sync.sync(tenant, provider, fromMs, toMs));
    return { results };
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'What the providers billed, per UTC day, as imported' })
  @ApiOkResponse({ type: BilledDayListDto })
  @ApiInputErrors()
  async list(@Query() q: BilledDaysQueryDto, @Tenant() tenant: string): Promise<BilledDayListDto> {
    const { fromMs, toMs } = utcDays(q);
    const provider = q.provider ?? null;
    const days = (await this.billedDays.list(tenant)).filter(
      (d) => (provider === null || d.provider === provider) && dayStartMs(d.day) >= fromMs && dayStartMs(d.day) < toMs,
    );
    return { days: days.map(billedDayView) };
  }

  @Get('keys')
  @Roles('admin')
  @ApiOperation({ summary: 'The admin keys bills are imported with (never the keys themselves), and how each import stands' })
  @ApiOkResponse({ type: AdminKeyListDto })
  async listKeys(@Tenant() tenant: string): Promise<AdminKeyListDto> {
    return { keys: (await this.keys.list(tenant)).map((k) => ({ ...k, sync: this.sync.stateOf(k.tenant, k.provider) })) };
  }

  @Put('keys/:provider')
  @Roles('admin')
  @ApiOperation({ summary: "Set the tenant's organization admin key for a provider; it is stored and never shown again" })
  @ApiParam({ name: 'provider', enum: BILLED_PROVIDERS })
  @ApiOkResponse({ type: AdminKeyDto, description: 'The key as listed (never the key itself)' })
  @ApiInputErrors()
  setKey(@Param('provider') provider: string, @Body() body: SetAdminKeyDto, @Tenant() tenant: string): Promise<AdminKeyDto> {
    return this.keys.set(tenant, checkProvider(provider), body, Date.now());
  }

  @Delete('keys/:provider')
  @HttpCode(204)
  @Roles('admin')
  @ApiNoContentResponse({ description: 'Removed: bills are no longer imported for this provider' })
  async removeKey(@Param('provider') provider: string, @Tenant() tenant: string): Promise<void> {
    await this.keys.remove(tenant, checkProvider(provider));
  }
}
