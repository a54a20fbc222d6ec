export { startTokenledger, sdkDisabled, type StartOptions, type Tokenledger } from './start';
export { registerTokenledger, type RegisterOptions, type Registered } from './register-into';
export { withAttribution, setAttribution, currentAttribution, type Attribution } from './attribution';
export {
  trackLLMCall,
  trackEmbedding,
  trackImageGeneration,
  trackAudio,
  trackPaymentFee,
  type TrackCommon,
  type TrackLLMCall,
  type TrackEmbedding,
  type TrackImageGeneration,
  type TrackAudio,
  type TrackPaymentFee,
} from './manual-tracking';
export { BudgetExceededError } from './budget/budget-exceeded-error';
export { checkBudget, type CheckBudgetOptions } from './budget/install';
export { TokenledgerConfigError, type BudgetGuardOptions } from './budget/options';
export type { BudgetDecision, BudgetState, BudgetCheckRequest } from './budget/decision';
export { loadInstrumentations, INSTRUMENTATION_PACKAGES } from './instrumentations';
