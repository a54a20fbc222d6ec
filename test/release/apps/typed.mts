// Type-checked against the installed packages' ESM types: a wrong type here must fail the check.
import { withAttribution, type Attribution } from '@tokenledger/node';
import { OpenAIInstrumentation } from '@tokenledger/instrumentation-openai';

const who: Attribution = { userId: 'u-1', feature: 'typed' };
const answer: number = withAttribution(who, () => 42);
new OpenAIInstrumentation({ captureMessageContent: false });
export { answer };
