import { loadUiConfig, setTenant, storedKey, type UiConfig } from './api';
import { prefetchOverview } from './overview-data';
import { currentPath } from './routes';
import { initialScope } from './scope';

/**
 * The requests a first view needs, started by the small entry script while React, the charts and the
 * pages still download and compile: the key's settings, then (on the overview, once the key is known
 * to be a reader's) the overview's reports. Without a reader's key nothing more is asked, so a signed
 * out page logs no refused request.
 */
export const firstConfig: Promise<UiConfig> = loadUiConfig(storedKey());

/** Settles once the overview's request (if any) is on its way. */
export const earlyRequests: Promise<void> = firstConfig.then(
  (config) => {
    if (!config.openMode && config.role !== 'viewer' && config.role !== 'admin') return;
    const scope = initialScope();
    setTenant(config.tenant, scope.tenant);
    if (currentPath() === '') prefetchOverview(scope);
  },
  () => undefined, // the app shows the failure
);
