import type { LoggerService } from '@nestjs/common';
import { PriceBookError } from '@tokenledger/pricing';
import { createApp } from './app';
import { AuthService } from './auth/auth.service';
import { isLoopbackAddress } from './auth/request-origin';
import { ConfigError, describeStore, loadConfig } from './config/config';
import { OtlpGrpcReceiver } from './ingest/otlp-grpc.receiver';
import { loadLogSettings, ServiceLogger } from './logging/service-logger';
import { connectStore } from './startup/connect-store';
import { boundShutdown } from './startup/shutdown-bound';
import { listenError, StartupError } from './startup/startup-error';
import { StartupServer } from './startup/startup-server';

const CONTEXT = 'Collector';

/** Exit codes: 2 for a bad setting (fix the configuration), 1 for anything found while starting. */
class Exit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts the service: the HTTP port first (so a port in use is said before anything else), then the
 * store (a MongoDB that is not up yet is waited for, /readyz saying why), then the app. Any failure is
 * one line naming what is wrong and what to do; the stack trace only at TOKENLEDGER_LOG_LEVEL=debug.
 */
async function main(logger: LoggerService): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new Exit(2, `bad configuration: ${err.message}`);
    throw err;
  }
  const startup = await StartupServer.listen(config.host, config.port);
  const store = await connectStore(config, { logger, waitingFor: (reason) => startup.waitingFor(reason) });
  startup.waitingFor('building the app');
  let app;
  try {
    app = await createApp(config, { logger, store });
  } catch (err) {
    if (err instanceof PriceBookError) {
      throw new StartupError(`bad price file (TOKENLEDGER_PRICES_FILE): ${err.message}; fix it, or unset TOKENLEDGER_PRICES_FILE to use the built-in prices`);
    }
    throw err;
  }
  // With no API keys the service is open (one tenant, "default", no checks): never reachable from
  // another machine. Each request is checked again (a service can lose its last key while running).
  const open = (await app.get(AuthService).mode()) === 'open';
  if (open && !isLoopbackAddress(config.host)) {
    await app.close();
    throw new Exit(
      2,
      `refusing to listen on ${config.host}: no API keys are configured, so it only binds to loopback. ` +
        'Set TOKENLEDGER_ADMIN_KEY or create keys with `tokenledger keys create --role admin` first.',
    );
  }
  await app.init();
  boundShutdown(logger);
  const grpcPort = config.grpcPort === null ? null : await app.get(OtlpGrpcReceiver).listen(config.grpcPort, config.host);
  // The app takes the port over from the start-up server.
  await startup.close();
  try {
    await app.listen(startup.port, config.host);
  } catch (err) {
    throw listenError(err as NodeJS.ErrnoException, config.host, startup.port, 'TOKENLEDGER_PORT');
  }
  logger.log(
    `listening on http://${config.host}:${startup.port}${grpcPort === null ? '' : ` and OTLP/gRPC ${config.host}:${grpcPort}`} (store: ${describeStore(config)})` +
      (open ? '; open mode: no API keys configured, so loopback only and one tenant, "default"' : '; API keys required'),
    CONTEXT,
  );
}

let logger: LoggerService;
try {
  logger = new ServiceLogger(loadLogSettings());
} catch (err) {
  console.error(`tokenledger collector: bad configuration: ${(err as Error).message}`);
  process.exit(2);
}
main(logger).catch((err: unknown) => {
  if (err instanceof Exit || err instanceof StartupError) logger.error(err.message, CONTEXT);
  else {
    logger.error(`failed to start: ${err instanceof Error ? err.message : String(err)} (TOKENLEDGER_LOG_LEVEL=debug shows where)`, CONTEXT);
    logger.debug?.(err instanceof Error ? (err.stack ?? err.message) : String(err), CONTEXT);
  }
  process.exit(err instanceof Exit ? err.code : 1);
});
