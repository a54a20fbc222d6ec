import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { type Principal, tenantOf } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { BudgetFieldError } from './budget';
import { BudgetsService } from './budgets.service';

/** Turns a bad body field into 400 naming it. */
async function parsed<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BudgetFieldError) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', field: err.field, message: err.message });
    throw err;
  }
}

type Q = Record<string, unknown>;

/** Budgets: admins write them, viewers read them, every key (apps hold ingest keys) may check. */
@ApiTags('budgets')
@ApiBearerAuth()
@Controller('v1/budgets')
export class BudgetsController {
  constructor(private readonly budgets: BudgetsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a budget: { name, scope, period, timezone, limitUsd, thresholds, action, channels }' })
  create(@Body() body: unknown, @Query() q: Q, @CurrentPrincipal() p: Principal) {
    return parsed(() => this.budgets.create(tenantOf(p, q.tenant), body));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "The tenant's budgets" })
  async list(@Query() q: Q, @CurrentPrincipal() p: Principal) {
    return { budgets: await this.budgets.list(tenantOf(p, q.tenant)) };
  }

  @Post('check')
  @HttpCode(200)
  @Roles('ingest', 'viewer')
  @ApiOperation({ summary: 'Decide a call about to be made: { user?, agent?, model?, provider?, feature?, service?, tags? } → allow, warn or block' })
  check(@Body() body: unknown, @Query() q: Q, @CurrentPrincipal() p: Principal) {
    const asked = body && typeof body === 'object' && typeof (body as Q).tenant === 'string' ? (body as Q).tenant : q.tenant;
    // An ingest key of every tenant (the OpenTelemetry Collector's) sends any tenant's spans, but reads
    // no tenant's money: it gets the decision and which budgets decide, not their spend or limits.
    const decisionOnly = p.role === 'ingest' && p.tenant === null && !p.openMode;
    return parsed(async () => {
      const answer = await this.budgets.check(tenantOf(p, asked), body);
      return decisionOnly ? withoutFigures(answer) : answer;
    });
  }

  @Get(':id')
  @Roles('viewer')
  get(@Param('id') id: string, @Query() q: Q, @CurrentPrincipal() p: Principal) {
    return this.budgets.get(tenantOf(p, q.tenant), id);
  }

  @Get(':id/status')
  @Roles('viewer')
  @ApiOperation({ summary: 'Spend against the limit in the current period, projection, and for perUser budgets the top users' })
  status(@Param('id') id: string, @Query() q: Q, @CurrentPrincipal() p: Principal) {
    return this.budgets.status(tenantOf(p, q.tenant), id);
  }

  @Patch(':id')
  @Roles('admin')
  update(@Param('id') id: string, @Body() body: unknown, @Query() q: Q, @CurrentPrincipal() p: Principal) {
    return parsed(() => this.budgets.update(tenantOf(p, q.tenant), id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  remove(@Param('id') id: string, @Query() q: Q, @CurrentPrincipal() p: Principal): Promise<void> {
    return this.budgets.remove(tenantOf(p, q.tenant), id);
  }
}

/** A check's answer without amounts: what a caller needs to go ahead or stop, and when it may retry. */
function withoutFigures(answer: Awaited<ReturnType<BudgetsService['check']>>) {
  return { ...answer, budgets: answer.budgets.map(({ id, name, action, state, resetsAt }) => ({ id, name, action, state, resetsAt })) };
}
