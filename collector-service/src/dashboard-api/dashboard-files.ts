import { existsSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

/**
 * Where the built dashboard lives: `<collector-service>/dist/dashboard`, written by `vite build`.
 * This file sits two levels under the package both as source (src/dashboard-api) and compiled (dist/dashboard-api),
 * so the same relative path works for the service and for tests that run the sources.
 */
export const DASHBOARD_DIR = resolve(__dirname, '..', '..', 'dist', 'dashboard');

export const dashboardBuilt = (dir = DASHBOARD_DIR) => existsSync(join(dir, 'index.html'));

/**
 * The file a dashboard URL path names, relative to the build directory: a built asset as is, and
 * anything without a file extension (a client-side route such as /dashboard/usage) as index.html.
 * Returns null for an asset path that is not in the build, so it answers 404 instead of the app.
 */
export function dashboardFile(urlPath: string, dir = DASHBOARD_DIR): string | null {
  const rel = urlPath.replace(/^\/dashboard\/?/, '');
  // Only paths inside the build: one that climbs out is not there, whatever exists where it points.
  const inside = relative(dir, resolve(dir, rel));
  if (inside === '..' || inside.startsWith(`..${sep}`) || inside.split(sep).some((part) => part.startsWith('.'))) return null;
  if (inside === '' || !/\.[a-z0-9]+$/i.test(inside)) return 'index.html';
  return existsSync(join(dir, inside)) ? inside : null;
}
