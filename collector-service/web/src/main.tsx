// The entry is kept small: it asks for the first view's data at once (early.ts), and only then loads
// and runs the app's chunk, so compiling the app never holds those requests back.
import { earlyRequests } from './early';
import './styles.css';

void earlyRequests.finally(() => import('./root'));
