import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { type Principal, tenantOf } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { ruleView } from './alert-rule';
import { AlertRulesService } from './alert-rules.service';
import { AlertsService, parseAlertQuery } from './alerts.service';

type Q = Record<string, unknown>;

/** Alert rules: admins change them, viewers read them. */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiQuery({ name: 'tenant', required: false, description: 'For keys of every tenant: the tenant (default "default")' })
@Controller('v1/alert-rules')
@Roles('admin')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a rule: { type, thresholdUsd?, percent?, multiplier?, withinHours?, timezone?, channels?, enabled? }' })
  async create(@Body() body: unknown, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return ruleView(await this.rules.create(tenantOf(p, tenant), body));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "The tenant's rules (the seeds' defaults until changed)" })
  async list(@Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return { rules: (await this.rules.list(tenantOf(p, tenant))).map(ruleView) };
  }

  @Get(':id')
  @Roles('viewer')
  async one(@Param('id') id: string, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return ruleView(await this.rules.get(tenantOf(p, tenant), id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a rule (threshold, percent, channels, enabled, ...); the type cannot change' })
  async update(@Param('id') id: string, @Body() body: unknown, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return ruleView(await this.rules.update(tenantOf(p, tenant), id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id') id: string, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal): Promise<void> {
    return this.rules.remove(tenantOf(p, tenant), id);
  }
}

/** Alert history; viewers read and acknowledge. */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiQuery({ name: 'tenant', required: false, description: 'For keys of every tenant: the tenant (default "default")' })
@Controller('v1/alerts')
@Roles('viewer')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({ summary: 'A page of alerts, newest first (unread first with unreadFirst=true), with value, threshold, subject, period and channel deliveries, and nextCursor for the next page (null on the last)' })
  @ApiQuery({ name: 'state', required: false, enum: ['firing', 'resolved'] })
  @ApiQuery({ name: 'unreadOnly', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'unreadFirst', required: false, enum: ['true', 'false'], description: 'Unread alerts before read ones, each newest first' })
  @ApiQuery({ name: 'limit', required: false, description: 'Alerts per page, 1-500, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page, with the same state, unreadOnly and unreadFirst' })
  list(@Query() q: Q, @CurrentPrincipal() p: Principal) {
    return this.alerts.list(tenantOf(p, q.tenant), parseAlertQuery(q));
  }

  @Get(':id')
  one(@Param('id') id: string, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return this.alerts.get(tenantOf(p, tenant), id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark an alert read' })
  ack(@Param('id') id: string, @Query('tenant') tenant: unknown, @CurrentPrincipal() p: Principal) {
    return this.alerts.ack(tenantOf(p, tenant), id, p.keyId);
  }
}
