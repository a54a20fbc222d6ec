import { PanelBuilder as BarGaugePanelBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { DashboardBuilder, type Dashboard, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanelBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { COST_FILTER, datasourceVariable, filterVariables, instant, jaegerUrlVariable, series, timeseries, tracesInJaeger } from './common';

const COST = `tokenledger_cost_usd_total{${COST_FILTER}}`;

/** Spend, projection, cost by every dimension, top users, tokens, unpriced calls, budgets. Dollars are floats for graphs; exact money is in the report API. */
export function aiCostDashboard(): Dashboard {
  const stat = (title: string, expr: string, timeFrom?: string) => {
    const panel = new StatPanelBuilder().title(title).unit('currencyUSD').decimals(2).withTarget(instant(expr)).height(4).span(6);
    return timeFrom ? panel.timeFrom(timeFrom) : panel;
  };
  const costBy = (label: string, title: string) =>
    timeseries()
      .title(title)
      .description('USD per hour, from priced records. Click a series for its traces in Jaeger.')
      .unit('currencyUSD')
      .withTarget(series(`sum by (${label}, service) (rate(${COST}[$__rate_interval])) * 3600`, `{{${label}}}`))
      .dataLinks(tracesInJaeger())
      .height(8)
      .span(12);

  return new DashboardBuilder('AI cost')
    .uid('tokenledger-ai-cost')
    .tags(['tokenledger', 'cost'])
    .refresh('1m')
    .time({ from: 'now-7d', to: 'now' })
    .timezone('browser')
    .variables([
      datasourceVariable(),
      ...filterVariables('tokenledger_cost_usd_total', { service: 'service', provider: 'provider', model: 'model' }),
      jaegerUrlVariable(),
    ])
    .withRow(new RowBuilder('Spend'))
    .withPanel(stat('Spend today', `sum(increase(${COST}[$__range]))`, 'now/d'))
    .withPanel(stat('Spend month to date', `sum(increase(${COST}[$__range]))`, 'now/M'))
    .withPanel(
      stat('Projected month', `sum(increase(${COST}[7d])) / 7 * scalar(days_in_month(vector(time())))`).description(
        'The last 7 days’ daily average times the days of this month.',
      ),
    )
    .withPanel(stat('Spend in range', `sum(increase(${COST}[$__range]))`))
    .withRow(new RowBuilder('Cost by dimension'))
    .withPanel(costBy('provider', 'Cost by provider'))
    .withPanel(costBy('model', 'Cost by model'))
    .withPanel(costBy('type', 'Cost by type'))
    .withPanel(costBy('agent', 'Cost by agent'))
    .withPanel(costBy('feature', 'Cost by feature'))
    .withPanel(
      new BarGaugePanelBuilder()
        .title('Top users')
        .description('Only users in the collector’s metrics allowlist carry a user label (bounded cardinality); the report API has every user.')
        .unit('currencyUSD')
        .withTarget(instant(`topk(10, sum by (user) (increase(tokenledger_cost_usd_total{${COST_FILTER}, user!=""}[$__range])))`, '{{user}}'))
        .height(8)
        .span(12),
    )
    .withRow(new RowBuilder('Tokens and blind spots'))
    .withPanel(
      timeseries()
        .title('Tokens by kind')
        .unit('short')
        .withTarget(series(`sum by (kind) (rate(tokenledger_tokens_total{${COST_FILTER}}[$__rate_interval]))`, '{{kind}}'))
        .height(8)
        .span(12),
    )
    .withPanel(
      new BarGaugePanelBuilder()
        .title('Unpriced calls by model')
        .description('Calls to models with no price: stored with cost unknown, never $0. Add them to the operator price file.')
        .unit('short')
        .withTarget(instant(`sum by (model) (increase(tokenledger_unpriced_calls_total{model=~"$model"}[$__range]))`, '{{model}}'))
        .height(8)
        .span(12),
    )
    .withRow(new RowBuilder('Budgets'))
    .withPanel(
      new GaugePanelBuilder()
        .title('Budget spend')
        .unit('percentunit')
        .min(0)
        .max(1.2)
        .withTarget(instant('max by (budget) (tokenledger_budget_spend_ratio)', '{{budget}}'))
        .height(8)
        .span(24),
    )
    .build();
}
