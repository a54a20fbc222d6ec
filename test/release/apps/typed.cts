// Type-checked against the installed packages' CommonJS types.
import { withAttribution } from '@tokenledger/node';

const answer: string = withAttribution({ userId: 'u-2' }, () => 'ok');
export { answer };
