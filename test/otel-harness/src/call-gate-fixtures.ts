import { context, propagation } from '@opentelemetry/api';
import { ATTR_USER_ID } from '@tokenledger/semconv';

/** Runs `fn` in a context whose W3C baggage names `user` (`user.id`), as `withAttribution` does. */
export const asUser = <T>(user: string, fn: () => T): T =>
  context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ [ATTR_USER_ID]: { value: user } })), fn);

/** What a test's call gate refuses a call with: shaped like an API error (HTTP 402). */
export class Refused extends Error {
  readonly status = 402;
}
