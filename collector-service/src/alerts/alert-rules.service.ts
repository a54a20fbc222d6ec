import { randomBytes } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ChannelsService } from '../channels/channels.service';
import type { AlertRulesRepository, AlertRulesSeededRepository } from '../storage/repositories/repositories';
import { ALERT_RULES, ALERT_RULES_SEEDED } from '../storage/storage.tokens';
import { type AlertRule, DEFAULT_RULES, parseRule, patchRule } from './alert-rule';
import type { CreateAlertRuleDto, UpdateAlertRuleDto } from './alert-rule.dto';

/** The id of the mark that a tenant's default rules were written, so a deleted default stays deleted. */
const SEEDED = 'defaults';

/** A tenant's alert rules; the seeds' defaults are written the first time a tenant's rules are read. */
@Injectable()
export class AlertRulesService {
  private readonly seeded = new Set<string>();

  constructor(
    @Inject(ALERT_RULES) private readonly repository: AlertRulesRepository,
    @Inject(ALERT_RULES_SEEDED) private readonly seeds: AlertRulesSeededRepository,
    private readonly channels: ChannelsService,
  ) {}

  /**
   * Writes the defaults once per tenant. Each default is inserted only if absent (an edited default is
   * kept), and the marker goes last, so an interrupted seeding completes on the next read.
   */
  private async seed(tenant: string, nowMs: number): Promise<void> {
    if (this.seeded.has(tenant)) return;
    if (!(await this.seeds.get(tenant, SEEDED))) {
      for (const rule of DEFAULT_RULES) await this.repository.add(tenant, { ...rule, createdAtMs: nowMs, updatedAtMs: nowMs });
      await this.seeds.add(tenant, { id: SEEDED, atMs: nowMs });
    }
    this.seeded.add(tenant);
  }

  /** Tenants that have rules of their own (every tenant has the defaults once its rules are read). */
  async tenants(): Promise<string[]> {
    return (await this.repository.listAll()).map((e) => e.tenant);
  }

  async list(tenant: string, nowMs = Date.now()): Promise<AlertRule[]> {
    await this.seed(tenant, nowMs);
    const rules = await this.repository.list(tenant);
    // Oldest first; the defaults, written together, in the seeds' order.
    const rank = (r: AlertRule) => DEFAULT_RULES.findIndex((d) => d.id === r.id);
    return rules.sort((a, b) => a.createdAtMs - b.createdAtMs || rank(a) - rank(b) || a.id.localeCompare(b.id));
  }

  async get(tenant: string, id: string): Promise<AlertRule> {
    await this.seed(tenant, Date.now());
    const rule = await this.repository.get(tenant, id);
    if (!rule) throw new NotFoundException(`no alert rule with id "${id}"`);
    return rule;
  }

  async create(tenant: string, body: CreateAlertRuleDto, nowMs = Date.now()): Promise<AlertRule> {
    await this.seed(tenant, nowMs);
    const rule: AlertRule = { id: `rule_${randomBytes(8).toString('hex')}`, ...parseRule(body), createdAtMs: nowMs, updatedAtMs: nowMs };
    await this.channels.checkNamed(tenant, rule.channels);
    await this.repository.save(tenant, rule);
    return rule;
  }

  async update(tenant: string, id: string, body: UpdateAlertRuleDto, nowMs = Date.now()): Promise<AlertRule> {
    const current = await this.get(tenant, id);
    const rule: AlertRule = { ...current, ...patchRule(current, body), updatedAtMs: nowMs };
    if (rule.channels !== current.channels) await this.channels.checkNamed(tenant, rule.channels);
    await this.repository.save(tenant, rule);
    return rule;
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.seed(tenant, Date.now());
    if (!(await this.repository.remove(tenant, id))) throw new NotFoundException(`no alert rule with id "${id}"`);
  }
}
