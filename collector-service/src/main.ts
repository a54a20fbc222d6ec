import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

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
  // No API keys exist yet in this build: the service runs in open mode (one tenant, "default"), which
  // must never be reachable from another machine.
  if (!LOOPBACK.has(config.host)) {
    console.error(`tokenledger collector: refusing to listen on ${config.host}: with no API keys configured it only binds to loopback (127.0.0.1)`);
    process.exit(2);
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('Collector').log(
    `listening on http://${config.host}:${config.port} (store: ${config.store} ${config.store === 'sqlite' ? config.sqlitePath : ''}); open mode: no API keys, loopback only, tenant "default"`,
  );
}

main().catch((err: unknown) => {
  console.error('tokenledger collector: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
