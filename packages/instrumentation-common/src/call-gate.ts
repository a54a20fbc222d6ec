/**
 * The one point where something outside an instrumentation may stop an AI call before its request
 * leaves the process: the budget guard of `@tokenledger/node` installs a gate, every patch asks it.
 *
 * A gate answers synchronously when it can (a warm decision cache): then the SDK's own promise or
 * stream is returned untouched. Only a cold answer (a Promise) makes the patched call wait for it.
 */
export interface CallDescription {
  provider: string;
  model: string;
  operation: string;
  /** Attribution of the current context (user.id, gen_ai.agent.id, tokenledger.feature, tags...). */
  attributes: Record<string, string>;
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
 * Runs `invoke` (the original SDK method) unless the gate refuses. A gate that throws is treated as
 * "allow": the gate is ours, and a fault in it must never break the app's call.
 */
export function gateCall<T>(describe: () => CallDescription, invoke: () => T): T | Promise<Awaited<T>> {
  if (!gate) return invoke();
  let answer: GateAnswer | Promise<GateAnswer>;
  try {
    answer = gate(describe());
  } catch {
    return invoke();
  }
  if (answer === null) return invoke();
  if (answer instanceof Error) return Promise.reject(answer);
  return answer.then(
    (decided) => (decided instanceof Error ? Promise.reject(decided) : invoke()),
    () => invoke(),
  ) as Promise<Awaited<T>>;
}
