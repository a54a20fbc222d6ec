import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiInputErrors, ApiNotFound } from '../http/api-errors';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { Tenant } from '../auth/tenant.decorator';
import { BudgetCheckDto, BudgetDto, BudgetListDto, BudgetStatusDto } from './budget-answers.dto';
import { CheckBudgetDto, CreateBudgetDto, UpdateBudgetDto } from './budget.dto';
import { BudgetsService } from './budgets.service';
import { CONFIG, type CollectorConfig } from '../config/config';

/** Budgets: admins write them, viewers read them, every key (apps hold ingest keys) may check. */
@ApiTags('budgets')
@ApiBearerAuth()
@Controller('v1/budgets')
export class BudgetsController {
  constructor(
    private readonly budgets: BudgetsService,
    @Inject(CONFIG) private readonly config: CollectorConfig,
  ) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a budget' })
  @ApiCreatedResponse({ type: BudgetDto })
  @ApiInputErrors()
  create(@Body() body: CreateBudgetDto, @Tenant() tenant: string) {
    return this.budgets.create(tenant, body);
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "The tenant's budgets" })
  @ApiOkResponse({ type: BudgetListDto })
  async list(@Tenant() tenant: string) {
    return { budgets: await this.budgets.list(tenant) };
  }

  @Post('check')
  @HttpCode(200)
  @Roles('ingest', 'viewer')
  @ApiOperation({ summary: 'Decide a call about to be made: allow, warn or block' })
  @ApiOkResponse({ type: BudgetCheckDto })
  @ApiInputErrors()
  async check(@Body() body: CheckBudgetDto, @Tenant('body') tenant: string, @CurrentPrincipal() p: Principal) {
    // An ingest key of every tenant (the OpenTelemetry Collector's) sends any tenant's spans, but reads
    // no tenant's money: it gets the decision and which budgets decide, not their spend or limits.
    const decisionOnly = p.role === 'ingest' && p.tenant === null && !p.openMode;
    const answer = await this.budgets.check(tenant, body);
    return decisionOnly ? withoutFigures(answer) : answer;
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOkResponse({ type: BudgetDto })
  @ApiNotFound('budget')
  get(@Param('id') id: string, @Tenant() tenant: string) {
    return this.budgets.get(tenant, id);
  }

  @Get(':id/status')
  @Roles('viewer')
  @ApiOkResponse({ type: BudgetStatusDto })
  @ApiNotFound('budget')
  @ApiInputErrors()
  @ApiOperation({
    summary:
      'Spend against the limit in the current period, projection, and for perUser budgets the top users (400 past TOKENLEDGER_BREAKDOWN_MAX_VALUES users)',
  })
  status(@Param('id') id: string, @Tenant() tenant: string) {
    return this.budgets.status(tenant, id, undefined, this.config.breakdownMaxValues);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: BudgetDto })
  @ApiInputErrors()
  @ApiNotFound('budget')
  update(@Param('id') id: string, @Body() body: UpdateBudgetDto, @Tenant() tenant: string) {
    return this.budgets.update(tenant, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFound('budget')
  remove(@Param('id') id: string, @Tenant() tenant: string): Promise<void> {
    return this.budgets.remove(tenant, id);
  }
}

/** A check's answer without amounts: what a caller needs to go ahead or stop, and when it may retry. */
function withoutFigures(answer: Awaited<ReturnType<BudgetsService['check']>>) {
  return { ...answer, budgets: answer.budgets.map(({ id, name, action, state, resetsAt }) => ({ id, name, action, state, resetsAt })) };
}
