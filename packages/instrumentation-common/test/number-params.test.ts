import { numberParams, readNumberParams } from '../src';

const PARAMS = numberParams([
  ['temperature', 'gen_ai.request.temperature'],
  ['max_tokens', 'gen_ai.request.max_tokens'],
  ['max_completion_tokens', 'gen_ai.request.max_tokens'],
]);

describe('numeric request parameters as span attributes', () => {
  it('writes the numbers a request names, and nothing for a request that names none', () => {
    expect(readNumberParams({ model: 'gpt-4o', temperature: 0.2, max_tokens: 'many' }, PARAMS, {})).toEqual({ 'gen_ai.request.temperature': 0.2 });
    expect(readNumberParams({ model: 'gpt-4o', messages: [] }, PARAMS, {})).toEqual({});
    expect(readNumberParams(undefined, PARAMS, {})).toEqual({});
  });

  it('lets the later of two parameters naming one attribute win, whatever order the request names them in', () => {
    expect(readNumberParams({ max_completion_tokens: 20, max_tokens: 10 }, PARAMS, {})).toEqual({ 'gen_ai.request.max_tokens': 20 });
    expect(readNumberParams({ max_tokens: 10, max_completion_tokens: 20 }, PARAMS, {})).toEqual({ 'gen_ai.request.max_tokens': 20 });
  });

  it('adds to the attributes it is given', () => {
    const attributes = { 'gen_ai.output.type': 'json' };
    expect(readNumberParams({ temperature: 1 }, PARAMS, attributes)).toBe(attributes);
    expect(attributes).toEqual({ 'gen_ai.output.type': 'json', 'gen_ai.request.temperature': 1 });
  });
});
