import { niceTicks } from '../../web/src/components/ticks';

describe("the daily chart's axis", () => {
  it('steps from zero in round amounts up to at least the largest value', () => {
    expect(niceTicks(0.087)).toEqual([0, 0.025, 0.05, 0.075, 0.1]);
    expect(niceTicks(2400)).toEqual([0, 1000, 2000, 3000]);
    expect(niceTicks(1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(3.3e-7)).toEqual([0, 1e-7, 2e-7, 3e-7, 4e-7]);
  });

  it('keeps a scale when every value is zero', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});
