import { usdText } from '../../src/alerts/alert-money';
import { budgetSubject, parseBudgetSubject } from '../../src/alerts/budget-subject';

describe('amounts in alert messages', () => {
  it('are to the cent from a cent up, and zero is $0.00', () => {
    expect(usdText(47_500_000n)).toBe('$0.05');
    expect(usdText(85_000_000_000n)).toBe('$85.00');
    expect(usdText(10_000_000n)).toBe('$0.01');
    expect(usdText(0n)).toBe('$0.00');
  });

  it('keep three significant digits under a cent, rounded half up, without trailing zeros', () => {
    expect(usdText(4_000_000n)).toBe('$0.004');
    expect(usdText(4_123_456n)).toBe('$0.00412');
    expect(usdText(4_125_000n)).toBe('$0.00413');
    expect(usdText(120n)).toBe('$0.00000012');
    expect(usdText(1n)).toBe('$0.000000001');
    expect(usdText(9_999_999n)).toBe('$0.01');
    expect(usdText(-4_000_000n)).toBe('$-0.004');
  });
});

describe('budget alert subjects', () => {
  it('round-trip the budget, the user of a perUser budget and the threshold', () => {
    expect(parseBudgetSubject(budgetSubject('b-1', null, 0.8))).toEqual({ budgetId: 'b-1', user: null, threshold: 0.8 });
    expect(parseBudgetSubject(budgetSubject('b-1', 'ann@example.com:x', 1))).toEqual({ budgetId: 'b-1', user: 'ann@example.com:x', threshold: 1 });
  });

  it('are told apart from every other subject', () => {
    for (const subject of ['tenant', 'user:budget:x@1', 'model:gpt-4o', 'budget:', 'budget:@1', 'budget:b-1@x']) expect(parseBudgetSubject(subject)).toBeNull();
  });
});
