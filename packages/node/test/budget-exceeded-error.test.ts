import { BudgetExceededError } from '../src';

describe('the message of a blocked call', () => {
  it('names the blocking budget without amounts when the collector gives none (an ingest key of every tenant)', () => {
    const error = BudgetExceededError.fromDecision({
      allowed: false,
      decision: 'block',
      resetsAt: '2026-12-01T00:00:00.000Z',
      budgets: [{ id: 'b-1', name: 'acme launch', action: 'block', state: 'exceeded' }],
    });
    expect(error.message).toBe(
      'AI call blocked: budget "acme launch" is exceeded; calls are allowed again from 2026-12-01T00:00:00.000Z. Raise the limit or wait for the period to reset.',
    );
  });
});
