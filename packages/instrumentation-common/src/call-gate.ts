import type { Attribution } from './attribution';

/**
 * The one point where something outside an instrumentation may stop an AI call before its request
 * leaves the process: the budget guard of `@tokenledger/node` installs a gate, every patched SDK
 * method asks it (see wrapSdkMethod).
 *
 * A gate answers synchronously when it can (a warm decision cache): then the SDK's own promise or
 * stream is returned untouched. Only a cold answer (a Promise) makes the patched call wait for it.
 */
export interface CallDescription {
  provider: string;
  model: string;
  operation: string;
  /** Attribution of the current context (user.id, gen_ai.agent.id, tokenledger.feature, tags...). */
  attributes: Attribution;
}

/** null lets the call through; an Error rejects it (the way the SDK rejects an API error). */
export type GateAnswer = Error | null;

export type CallGate = (call: CallDescription) => GateAnswer | Promise<GateAnswer>;

let gate: CallGate | null = null;

/** Installs (or, with null, removes) the process-wide call gate. */
export function setCallGate(next: CallGate | null): void {
  gate = next;
}

/**
 * The gate's answer for a call, null when no gate is installed (then `call` is not even described).
 * A gate that throws is treated as "allow": the gate is ours, and a fault in it must never break the
 * app's call.
 */
export function askGate<T>(call: T, describe: (call: T) => CallDescription): GateAnswer | Promise<GateAnswer> {
  if (!gate) return null;
  try {
    return gate(describe(call));
  } catch {
    return null;
  }
}

/**
 * Once a refusal or a pending answer is known: rejects with the refusal, or runs `invoke` when the
 * answer allows the call. A pending answer that fails lets the call through, as a throwing gate does.
 */
export function afterGate<T>(answer: Error | Promise<GateAnswer>, invoke: () => T): Promise<Awaited<T>> {
  if (answer instanceof Error) return Promise.reject(answer);
  return answer.then(
    (decided) => (decided instanceof Error ? Promise.reject(decided) : invoke()),
    () => invoke(),
  ) as Promise<Awaited<T>>;
}
