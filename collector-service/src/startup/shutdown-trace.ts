import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';

const CONTEXT = 'Shutdown';
/** The hooks Nest calls while the app closes, in the order it calls them (the HTTP server closes between the second and the third). */
const SHUTDOWN_HOOKS = ['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown'] as const;

/**
 * Runs one step of the shutdown, saying at debug when it starts and when it ends (or fails), and how
 * long it took: a shutdown that never finishes names the step it is stuck in as the last "started"
 * without its "ended".
 */
async function traced<T>(step: string, run: () => T | Promise<T>): Promise<T> {
  const logger = new Logger(CONTEXT);
  const startedAt = performance.now();
  logger.debug(`${step}: started`);
  try {
    const result = await run();
    logger.debug(`${step}: ended after ${Math.round(performance.now() - startedAt)} ms`);
    return result;
  } catch (err) {
    logger.debug(`${step}: failed after ${Math.round(performance.now() - startedAt)} ms: ${(err as Error).message}`);
    throw err;
  }
}

/**
 * Nest's instance decorator (the `instrument` option): every module, provider and controller the app
 * creates gets its shutdown hooks traced (see `traced`), named by class and hook.
 */
export function traceShutdownHooks(instance: unknown): unknown {
  if (typeof instance !== 'object' || instance === null || Object.isFrozen(instance)) return instance;
  const target = instance as Record<string, unknown>;
  for (const hook of SHUTDOWN_HOOKS) {
    const original = target[hook];
    if (typeof original !== 'function') continue;
    const step = `${instance.constructor?.name ?? 'Object'}.${hook}`;
    Object.defineProperty(target, hook, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => traced(step, () => (original as (...a: unknown[]) => unknown).apply(instance, args)),
    });
  }
  return instance;
}

/** Traces the step between the hooks: the HTTP server stops listening and waits for the requests it is answering. */
export function traceHttpClose(app: INestApplication): void {
  const adapter = app.getHttpAdapter();
  const close = adapter.close.bind(adapter);
  adapter.close = () => traced('the HTTP server', close);
}
