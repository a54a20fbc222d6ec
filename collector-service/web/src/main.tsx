// The entry is kept small: it starts the first requests at once (early.ts). The app's code, most of
// the bytes, downloads meanwhile (index.html preloads its chunk) and runs once those requests are on
// their way, so compiling it does not hold them back.
import { earlyRequests } from './early';
import './styles.css';

void earlyRequests.finally(() => import('./root'));
