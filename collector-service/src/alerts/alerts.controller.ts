import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal';
import { Tenant } from '../auth/tenant.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiInputErrors, ApiNotFound } from '../http/api-errors';
import { ruleView } from './alert-rule';
import { AlertDto, AlertPageDto, AlertsQueryDto } from './alert.dto';
import { AlertRuleDto, AlertRuleListDto, CreateAlertRuleDto, UpdateAlertRuleDto } from './alert-rule.dto';
import { AlertRulesService } from './alert-rules.service';
import { AlertsService, parseAlertQuery } from './alerts.service';

/** Alert rules: admins change them, viewers read them. */
@ApiTags('alerts')
@ApiBearerAuth()
@Controller('v1/alert-rules')
@Roles('admin')
export class AlertRulesController {
  constructor(private readonly rules: AlertRulesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a rule' })
  @ApiCreatedResponse({ type: AlertRuleDto })
  @ApiInputErrors()
  async create(@Body() body: CreateAlertRuleDto, @Tenant() tenant: string): Promise<AlertRuleDto> {
    return ruleView(await this.rules.create(tenant, body));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "The tenant's rules (the seeds' defaults until changed)" })
  @ApiOkResponse({ type: AlertRuleListDto })
  async list(@Tenant() tenant: string): Promise<AlertRuleListDto> {
    return { rules: (await this.rules.list(tenant)).map(ruleView) };
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiNotFound('alert rule')
  async one(@Param('id') id: string, @Tenant() tenant: string): Promise<AlertRuleDto> {
    return ruleView(await this.rules.get(tenant, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a rule (threshold, percent, channels, enabled, ...); the type cannot change' })
  @ApiOkResponse({ type: AlertRuleDto })
  @ApiInputErrors()
  @ApiNotFound('alert rule')
  async update(@Param('id') id: string, @Body() body: UpdateAlertRuleDto, @Tenant() tenant: string): Promise<AlertRuleDto> {
    return ruleView(await this.rules.update(tenant, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFound('alert rule')
  remove(@Param('id') id: string, @Tenant() tenant: string): Promise<void> {
    return this.rules.remove(tenant, id);
  }
}

/** Alert history; viewers read and acknowledge. */
@ApiTags('alerts')
@ApiBearerAuth()
@Controller('v1/alerts')
@Roles('viewer')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @ApiOperation({
    summary:
      'A page of alerts, newest first (unread first with unreadFirst=true), with value, threshold, subject, period and channel deliveries, and nextCursor for the next page (null on the last)',
  })
  @ApiOkResponse({ type: AlertPageDto })
  @ApiInputErrors()
  list(@Query() q: AlertsQueryDto, @Tenant() tenant: string): Promise<AlertPageDto> {
    return this.alerts.list(tenant, parseAlertQuery(q));
  }

  @Get(':id')
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFound('alert')
  one(@Param('id') id: string, @Tenant() tenant: string): Promise<AlertDto> {
    return this.alerts.get(tenant, id);
  }

  @Post(':id/ack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark an alert read' })
  @ApiOkResponse({ type: AlertDto, description: 'The alert, now read' })
  @ApiNotFound('alert')
  ack(@Param('id') id: string, @Tenant() tenant: string, @CurrentPrincipal() p: Principal): Promise<AlertDto> {
    return this.alerts.ack(tenant, id, p.keyId);
  }
}
