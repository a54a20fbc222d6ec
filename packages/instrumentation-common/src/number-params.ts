import type { Attributes } from '@opentelemetry/api';

/** Which of a request's numeric parameters become which span attributes. */
export interface NumberParams {
  /** `[parameter, attribute]`; a later entry wins over an earlier one naming the same attribute. */
  readonly entries: readonly (readonly [param: string, attribute: string])[];
  /** The parameter names, for telling at a glance whether a request names any. */
  readonly names: ReadonlySet<string>;
}

export function numberParams(entries: readonly (readonly [param: string, attribute: string])[]): NumberParams {
  return { entries, names: new Set(entries.map(([param]) => param)) };
}

/**
 * The numeric parameters a request names, written into `attributes`. Most requests name none: their
 * few keys are looked up first, which costs far less per call than reading every parameter by name.
 */
export function readNumberParams(request: Record<string, unknown> | undefined, params: NumberParams, attributes: Attributes): Attributes {
  let any = false;
  for (const key in request) {
    if (params.names.has(key)) {
      any = true;
      break;
    }
  }
  if (!any) return attributes;
  const { entries } = params;
  for (let i = 0; i < entries.length; i++) {
    const value = request![entries[i][0]];
    if (typeof value === 'number') attributes[entries[i][1]] = value;
  }
  return attributes;
}
