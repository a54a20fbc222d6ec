import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { AuthService } from './auth/auth.service';
import { isLoopbackAddress } from './auth/request-origin';
import { ConfigError, describeStore, loadConfig } from './config/config';
import { OtlpGrpcReceiver } from './ingest/otlp-grpc.receiver';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`tokenledger collector: bad configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const app = await createApp(config);
  // With no API keys the service is open (one tenant, "default", no checks): never reachable from
  // another machine. Each request is checked again (a service can lose its last key while running).
  const open = (await app.get(AuthService).mode()) === 'open';
  if (open && !isLoopbackAddress(config.host)) {
    console.error(
      `tokenledger collector: refusing to listen on ${config.host}: no API keys are configured, so it only binds to loopback. ` +
        'Set TOKENLEDGER_ADMIN_KEY or create keys with `tokenledger keys create --role admin` first.',
    );
    await app.close();
    process.exit(2);
  }
  await app.init();
  const grpcPort = config.grpcPort === null ? null : await app.get(OtlpGrpcReceiver).listen(config.grpcPort, config.host);
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as { port: number };
  new Logger('Collector').log(
    `listening on http://${config.host}:${port}${grpcPort === null ? '' : ` and OTLP/gRPC ${config.host}:${grpcPort}`} (store: ${describeStore(config)})` +
      (open ? '; open mode: no API keys configured, so loopback only and one tenant, "default"' : '; API keys required'),
  );
}

main().catch((err: unknown) => {
  console.error('tokenledger collector: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
