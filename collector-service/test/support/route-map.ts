import type { INestApplication } from '@nestjs/common';

/** One route the running app answers: `GET /v1/budgets/:id`. */
export interface Route {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/**
 * Every route of the running app, read from its Express router (Nest's controllers and whatever else
 * registers a route, such as the OpenAPI pages), each method and path once, in registration order. A
 * route added tomorrow is in this list without anyone writing it down.
 */
export function routesOf(app: INestApplication): Route[] {
  const stack = (app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } }).router.stack;
  const seen = new Map<string, Route>();
  for (const layer of stack) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m])) {
      for (const path of paths) seen.set(`${method.toUpperCase()} ${path}`, { method: method.toUpperCase(), path });
    }
  }
  return [...seen.values()];
}

export const routeName = (route: Route): string => `${route.method} ${route.path}`;

/** The route's path with each `:param` and `*param` replaced by what `fill` gives for its name. */
export function fillPath(path: string, fill: (param: string) => string): string {
  return path.replace(/[:*]([A-Za-z_]\w*)/g, (_, name: string) => encodeURIComponent(fill(name)));
}
