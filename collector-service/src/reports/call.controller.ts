import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { CONFIG, type CollectorConfig } from '../config/config';
import { ErrorBodyDto } from '../http/error-body.dto';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { recordView } from './record-view';
import { RecordDto } from './record-view.dto';
import { QueryError } from './report-query';

/** A record id: the span's trace id (32 hex) and span id (16 hex), as the usage listing gives it. */
const RECORD_ID = /^[0-9a-f]{48}$/i;

/** One call as stored: what the dashboard's call view explains (tokens, unit prices, price source, attribution, trace). */
@ApiTags('reports')
@ApiBearerAuth()
@Controller('v1/reports/usage')
@Roles('viewer')
export class CallController {
  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  @Get(':id')
  @ApiOperation({
    summary:
      'One call by id, with every field the usage listing has: tokens by kind, unit prices, price source and price book version, cost, attribution, trace link',
  })
  @ApiParam({ name: 'id', description: 'The record id: trace id + span id, 48 hex characters (the `id` of a GET /v1/reports/usage record)' })
  @ApiOkResponse({
    type: RecordDto,
    description: 'The record; money as ...Nanos (integer string) and ...Usd (decimal string, 9 places), unit prices as exact USD per unit.',
  })
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'The id is not 48 hex characters.' })
  @ApiNotFoundResponse({
    type: ErrorBodyDto,
    description: "The tenant has no call of that id (another tenant's calls are never found; retention may have deleted it).",
  })
  async call(@Param('id') id: string, @Tenant() tenant: string): Promise<RecordDto> {
    if (!RECORD_ID.test(id))
      throw new QueryError(
        'id',
        `must be a record id of 48 hex characters (trace id + span id, as GET /v1/reports/usage lists them), got "${id.slice(0, 100)}"`,
      );
    const record = await this.storage.getRecord(tenant, id.toLowerCase());
    if (!record)
      throw new NotFoundException(
        `no call with id "${id}" in tenant "${tenant}": list calls with GET /v1/reports/usage (raw records older than TOKENLEDGER_RETENTION_DAYS are deleted)`,
      );
    return recordView(record, this.config.jaegerUrl);
  }
}
