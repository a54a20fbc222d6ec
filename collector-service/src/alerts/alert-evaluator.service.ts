import { Inject, Injectable, Logger } from '@nestjs/common';
import { ChannelsService } from '../channels/channels.service';
import type { AlertsRepository } from '../storage/repositories/repositories';
import { ALERTS } from '../storage/storage.tokens';
import { alertFrom } from './alert';
import type { AlertRule, RuleType } from './alert-rule';
import { AlertRulesService } from './alert-rules.service';
import { AlertDispatcher } from './alert-dispatcher.service';
import { RuleEvaluators } from './rule-evaluators';
import { AlertTenants } from './tenants';

export interface EvaluationSummary {
  tenants: number;
  rules: number;
  fired: number;
  resolved: number;
  failedRules: number;
  redelivered: number;
}

/** Longer than any delivery with its retries takes: an alert still undelivered after this was abandoned. */
export const REDELIVER_AFTER_MS = 10 * 60_000;

/**
 * Runs rules and turns their conditions into alerts. A condition whose alert has fired does nothing;
 * an open alert of a rule whose conditions no longer include it resolves (a budget alert once the
 * store's own numbers agree: passes read spend from memory, which lags other instances). A rule that fails to
 * evaluate resolves nothing (its alerts stay open until it answers again).
 */
@Injectable()
export class AlertEvaluator {
  private readonly logger = new Logger('Alerts');

  constructor(
    @Inject(ALERTS) private readonly alerts: AlertsRepository,
    private readonly rules: AlertRulesService,
    private readonly evaluators: RuleEvaluators,
    private readonly dispatcher: AlertDispatcher,
    private readonly tenants: AlertTenants,
    private readonly channels: ChannelsService,
  ) {}

  /** Evaluates every tenant's rules (or only some types, or some tenants) as of `nowMs`. */
  async evaluate(nowMs = Date.now(), only: { types?: RuleType[]; tenants?: string[] } = {}): Promise<EvaluationSummary> {
    const summary: EvaluationSummary = { tenants: 0, rules: 0, fired: 0, resolved: 0, failedRules: 0, redelivered: 0 };
    for (const tenant of only.tenants ?? (await this.tenants.all())) {
      summary.tenants++;
      await this.evaluateTenant(tenant, nowMs, only.types, summary);
    }
    return summary;
  }

  private async evaluateTenant(tenant: string, nowMs: number, types: RuleType[] | undefined, summary: EvaluationSummary): Promise<void> {
    const rules = (await this.rules.list(tenant, nowMs)).filter((r) => !types || types.includes(r.type));
    const [open, channels] = await Promise.all([this.alerts.listOpen(tenant), this.channels.list(tenant)]);
    for (const e of open) {
      if (e.open.delivered === false && e.open.firedAtMs < nowMs - REDELIVER_AFTER_MS && (await this.dispatcher.redeliver(tenant, e.id, channels, nowMs)))
        summary.redelivered++;
    }
    const openIds = new Set(open.map((e) => e.id));
    const openByRule = new Map<string, string[]>();
    for (const e of open) openByRule.set(e.open.ruleId, [...(openByRule.get(e.open.ruleId) ?? []), e.id]);

    for (const rule of rules) {
      const stillOpen = new Set(openByRule.get(rule.id) ?? []);
      openByRule.delete(rule.id);
      if (!rule.enabled) {
        for (const id of stillOpen) await this.resolve(tenant, id, 'the rule was disabled', nowMs, summary);
        continue;
      }
      summary.rules++;
      const current = await this.conditions(tenant, rule, nowMs);
      if (current === null) {
        summary.failedRules++;
        continue;
      }
      for (const condition of current) {
        const alert = alertFrom(tenant, rule, condition, nowMs);
        stillOpen.delete(alert.id);
        if (openIds.has(alert.id)) continue; // fired before and still open: nothing to write
        if (await this.dispatcher.fire(alert, [...rule.channels, ...(condition.extraChannels ?? [])], channels)) summary.fired++;
      }
      for (const id of stillOpen) {
        if (!(await this.stillHolds(tenant, rule, id, nowMs))) await this.resolve(tenant, id, 'the condition cleared', nowMs, summary);
      }
    }
    // Open alerts of rules that no longer exist (only when every type was evaluated: a filtered run does not see them all).
    if (!types) for (const ids of openByRule.values()) for (const id of ids) await this.resolve(tenant, id, 'the rule was deleted', nowMs, summary);
  }

  private async conditions(tenant: string, rule: AlertRule, nowMs: number) {
    try {
      return await this.evaluators.evaluate(tenant, rule, nowMs);
    } catch (err) {
      this.logger.error(`alert rule ${rule.id} (${rule.type}) of tenant ${tenant} could not be evaluated: ${(err as Error).message}`);
      return null;
    }
  }

  /** A condition that seems to have cleared, asked again of the store's own numbers; an error keeps the alert open. */
  private async stillHolds(tenant: string, rule: AlertRule, id: string, nowMs: number): Promise<boolean> {
    try {
      return await this.evaluators.holds(tenant, rule, () => this.alerts.get(tenant, id), nowMs);
    } catch (err) {
      this.logger.error(`alert ${id} of rule ${rule.id} (${rule.type}) of tenant ${tenant} could not be checked before resolving: ${(err as Error).message}`);
      return true;
    }
  }

  private async resolve(tenant: string, id: string, reason: string, nowMs: number, summary: EvaluationSummary): Promise<void> {
    await this.dispatcher.resolve(tenant, id, reason, nowMs);
    summary.resolved++;
  }
}
