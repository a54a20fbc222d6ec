// The entry is kept small: it asks for the first view's data at once (early.ts) and only then runs the
// app's chunk (which index.html has the browser download meanwhile), so compiling the app never holds
// those requests back.
import { earlyRequests } from './early';
import './styles.css';

void earlyRequests.finally(() => import('./root'));
