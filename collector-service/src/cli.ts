import { parseArgs } from 'node:util';
import { checkKeyRequest, type CreateKeyDto } from './auth/key.dto';
import { KeysService } from './auth/keys.service';
import { type CollectorConfig, describeStore, loadConfig } from './config/config';
import { InputError } from './http/input-error';
import { PricingService } from './pricing/pricing.service';
import { reprice, repriceView } from './pricing/repricing';
import { openStore } from './storage/storage.module';
import type { StoragePort } from './storage/storage.port';
import { utcDays } from './time/utc-days';

const USAGE = `Usage:
  tokenledger start                  run the collector service (the API and the dashboard)
  tokenledger keys create --role ingest|viewer|metrics|admin [--tenant T] [--name N]
  tokenledger keys list [--tenant T]
  tokenledger keys revoke ID
  tokenledger reprice --from YYYY-MM-DD --to YYYY-MM-DD [--provider P] [--model M] [--tenant T] [--dry-run]
                                     price the calls of those UTC days (to exclusive) again with the
                                     price book and operator file (TOKENLEDGER_PRICES_FILE) in force
                                     now: per model the old and new cost and the difference; without
                                     --dry-run the calls are rewritten (their previous pricing kept)
                                     and every rollup corrected once

Works on the store the service is configured with (TOKENLEDGER_STORE, TOKENLEDGER_DATA_DIR,
TOKENLEDGER_SQLITE_PATH, MONGODB_URI), wherever it is run from, and says which one on stderr.
The new key is printed once; only its hash is stored.`;

export async function main(argv: string[], out = console.log, err = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        tenant: { type: 'string' },
        name: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        provider: { type: 'string' },
        model: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    err(`tokenledger: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [group, command, id] = parsed.positionals;
  if (group === 'reprice' && !parsed.values.help) return repriceCommand(parsed.values, out, err);
  if (parsed.values.help || group !== 'keys' || !['create', 'list', 'revoke'].includes(command ?? '')) {
    (parsed.values.help ? out : err)(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  let request: CreateKeyDto | null = null;
  if (command === 'create') {
    const { role, tenant, name } = parsed.values;
    try {
      request = await checkKeyRequest({ role, tenant, name });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      err(`tokenledger: --${e.input} ${e.problem}\n\n${USAGE}`);
      return 2;
    }
  }
  if (command === 'revoke' && !id) {
    err(`tokenledger: keys revoke needs the key id\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    err(`tokenledger: bad configuration: ${(e as Error).message}`);
    return 2;
  }
  const store = await openStoreOrSay(config, err);
  if (!store) return 2;
  err(`store: ${describeStore(config)}`);
  try {
    const keys = new KeysService(store);
    if (command === 'create') {
      const created = await keys.create(request!, null);
      out(created.key);
      err(`created ${created.role} key ${created.id} for ${created.tenant === null ? 'every tenant' : `tenant "${created.tenant}"`}; it is shown only now`);
    } else if (command === 'list') {
      for (const k of await keys.list(parsed.values.tenant ?? null)) {
        out(
          [
            k.id,
            k.role,
            k.tenant ?? '*',
            k.name ?? '',
            new Date(k.createdAtMs).toISOString(),
            k.revokedAtMs ? `revoked ${new Date(k.revokedAtMs).toISOString()}` : 'active',
          ].join('\t'),
        );
      }
    } else {
      await keys.revoke(id, null);
      err(`revoked key ${id}`);
    }
    return 0;
  } catch (e) {
    err(`tokenledger: ${(e as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}

type RepriceOptions = { tenant?: string; from?: string; to?: string; provider?: string; model?: string; 'dry-run'?: boolean };

async function repriceCommand(options: RepriceOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (!options.from || !options.to) {
    err(`tokenledger: reprice needs --from and --to (UTC days, YYYY-MM-DD, --to exclusive)\n\n${USAGE}`);
    return 2;
  }
  let days: { fromMs: number; toMs: number };
  let config: CollectorConfig;
  let pricing: PricingService;
  try {
    days = utcDays({ from: options.from, to: options.to });
    config = loadConfig();
    pricing = new PricingService(config);
  } catch (e) {
    err(`tokenledger: ${(e as Error).message}`);
    return 2;
  }
  const store = await openStoreOrSay(config, err);
  if (!store) return 2;
  err(`store: ${describeStore(config)}; prices: ${pricing.book.version}`);
  try {
    const filters = { ...(options.provider ? { provider: options.provider } : {}), ...(options.model ? { model: options.model } : {}) };
    const view = repriceView(await reprice(store, pricing, { tenant: options.tenant ?? 'default', ...days, filters, dryRun: options['dry-run'] === true }));
    out(['provider', 'model', 'calls', 'newly priced', 'old USD', 'new USD', 'difference USD'].join('\t'));
    for (const m of view.models) out([m.provider, m.model, m.calls, m.newlyPriced, m.oldCostUsd, m.newCostUsd, m.differenceUsd].join('\t'));
    out(['total', '', view.total.calls, view.total.newlyPriced, view.total.oldCostUsd, view.total.newCostUsd, view.total.differenceUsd].join('\t'));
    err(`${view.dryRun ? 'dry run: nothing changed; ' : ''}${view.total.calls} of ${view.examined} calls ${view.dryRun ? 'would be' : 'were'} re-priced`);
    return 0;
  } catch (e) {
    err(`tokenledger: ${(e as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}

/** The store the configuration names, or null after one line on stderr saying which store and why. */
async function openStoreOrSay(config: CollectorConfig, err: (line: string) => void): Promise<StoragePort | null> {
  try {
    return await openStore(config);
  } catch (e) {
    err(`tokenledger: cannot open the store (${describeStore(config)}): ${(e as Error).message}`);
    return null;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
