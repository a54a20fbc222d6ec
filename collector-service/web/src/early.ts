import { loadUiConfig, setTenant, storedKey, type UiConfig } from './api';
import { prefetchOverviewFirst } from './overview-data';
import { currentPath } from './routes';
import { initialScope } from './scope';

/**
 * The requests a first view needs, started by the small entry script before the app's code runs: the
 * key's settings, then (on the overview, once the key is known to be a reader's) what the overview's
 * cards and daily chart draw. Without a reader's key nothing more is asked, so a signed-out page
 * logs no refused request.
 */
export const firstConfig: Promise<UiConfig> = loadUiConfig(storedKey());
// Worked out while the settings are on their way: the first use of time zones is slow (the browser
// loads their data), and would otherwise hold back the request below.
const scope = initialScope();

/** Settles once the overview's request (if any) is on its way. */
export const earlyRequests: Promise<void> = firstConfig.then(
  (config) => {
    if (!config.openMode && config.role !== 'viewer' && config.role !== 'admin') return;
    setTenant(config.tenant, scope.tenant);
    if (currentPath() === '') prefetchOverviewFirst(scope);
  },
  () => undefined, // the app shows the failure
);
