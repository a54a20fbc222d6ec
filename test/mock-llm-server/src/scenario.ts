import type { Scenario } from './http';

/** Parses `x-mock-scenario: status=429,delayMs=10,cutAfter=3,noUsage` into a Scenario. */
export function parseScenario(value: string | undefined): Scenario {
  const scenario: Scenario = {};
  if (!value) return scenario;
  for (const part of value.split(',')) {
    const [key, raw] = part.split('=').map((s) => s.trim());
    if (key === 'noUsage') scenario.noUsage = true;
    else if (key === 'status' || key === 'delayMs' || key === 'cutAfter') scenario[key] = Number(raw);
  }
  return scenario;
}
