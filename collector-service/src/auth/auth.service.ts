import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type CollectorConfig } from '../config/config';
import type { KeysRequiredMark } from '../storage/repositories/repositories';
import type { ApiKeyRole, ApiKeysRepository } from '../storage/storage.port';
import { API_KEYS, KEYS_REQUIRED } from '../storage/storage.tokens';
import { hashApiKey, sameHash } from './api-keys';
import type { Principal } from './principal';
import { isLocalOrigin, type RequestOrigin } from './request-origin';

const OPEN: Principal = { role: 'admin', tenant: null, keyId: null, openMode: true };

/**
 * How the service admits requests:
 * - `keys`: API keys exist (or TOKENLEDGER_ADMIN_KEY is set); every request needs one;
 * - `open`: no key is live and none was ever required (or TOKENLEDGER_ALLOW_OPEN_MODE=true): requests
 *   from loopback, addressed to localhost, need none;
 * - `locked`: keys were required once and none is live now: every request is refused until a key is
 *   created, so revoking the last key never opens the service.
 */
export type AccessMode = 'keys' | 'open' | 'locked';

/** A request let in with its principal, or refused with the message that says what to do. */
export type Admission = { principal: Principal } | { refused: 'unauthenticated' | 'forbidden'; message: string };

/** Keys live in the store: while it is down no key can be checked, and the sender should retry. */
export class KeysUnavailableError extends Error {
  constructor() {
    super('the store is unavailable, so the API key cannot be checked; retry later');
  }
}

/**
 * How long what the store said about keys is trusted: every request would otherwise read the store
 * before it is served (on MongoDB a round trip, most of a warm budget check). Keys created or revoked
 * through this instance count at once; by another instance or the CLI, within this long.
 */
export const KEYS_RECHECK_MS = 1000;

@Injectable()
export class AuthService implements OnModuleInit {
  private readonly logger = new Logger('Access');
  private readonly adminKeyHash: string | null;
  private readonly allowOpenMode: boolean;
  /** Once true, stays true: keys are never deleted, only revoked. */
  private keysWereRequired = false;
  private lastMode: AccessMode | null = null;
  private modeSeen: { mode: AccessMode; atMs: number } | null = null;
  /** Live keys found by hash (unknown keys are looked up every time, so a key the CLI just made works at once). */
  private readonly keysSeen = new Map<string, { principal: Principal; atMs: number }>();

  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKeysRepository,
    /** Marked when TOKENLEDGER_ADMIN_KEY is set, so the store remembers keys were required once the variable is gone. */
    @Inject(KEYS_REQUIRED) private readonly keysRequired: KeysRequiredMark,
    @Inject(CONFIG) config: CollectorConfig,
  ) {
    this.adminKeyHash = config.adminKey ? hashApiKey(config.adminKey) : null;
    this.allowOpenMode = config.allowOpenMode;
  }

  async onModuleInit(): Promise<void> {
    if (this.adminKeyHash !== null) await this.keysRequired.mark(Date.now());
    await this.mode();
  }

  /** The access mode now (the store's keys can change under a running service, from the API or the CLI), as read within KEYS_RECHECK_MS. */
  async mode(): Promise<AccessMode> {
    const seen = this.modeSeen;
    if (seen && Date.now() - seen.atMs < KEYS_RECHECK_MS) return seen.mode;
    const atMs = Date.now();
    let mode: AccessMode;
    if (this.adminKeyHash !== null || (await this.keys.hasApiKeys())) {
      this.keysWereRequired = true;
      mode = 'keys';
    } else {
      mode = this.allowOpenMode || !(await this.wereKeysRequired()) ? 'open' : 'locked';
    }
    this.note(mode);
    this.modeSeen = { mode, atMs };
    return mode;
  }

  /** After this instance created or revoked a key: forgets what it knew of keys, and logs a change of mode now. */
  async keysChanged(): Promise<void> {
    this.modeSeen = null;
    this.keysSeen.clear();
    await this.mode();
  }

  /** Whether this request is served in open mode: the service is in open mode and the request is local. */
  async openFor(origin: RequestOrigin): Promise<boolean> {
    return (await this.mode()) === 'open' && isLocalOrigin(origin);
  }

  /** The principal for a presented key, or the open-mode principal for a local request; null otherwise. */
  async authenticate(key: string | null, origin: RequestOrigin): Promise<Principal | null> {
    if (key !== null) {
      const hash = hashApiKey(key);
      if (this.adminKeyHash !== null && sameHash(hash, this.adminKeyHash))
        return { role: 'admin', tenant: null, keyId: 'TOKENLEDGER_ADMIN_KEY', openMode: false };
      const seen = this.keysSeen.get(hash);
      if (seen && Date.now() - seen.atMs < KEYS_RECHECK_MS) return seen.principal;
      const atMs = Date.now();
      const stored = await this.keys.findApiKey(hash);
      if (stored) {
        const principal: Principal = { role: stored.role, tenant: stored.tenant, keyId: stored.id, openMode: false };
        this.keysSeen.set(hash, { principal, atMs });
        return principal;
      }
      this.keysSeen.delete(hash);
    }
    return (await this.openFor(origin)) ? OPEN : null;
  }

  /**
   * Whether a request with this key, from this origin, may call an endpoint open to `roles` (admin may
   * call any), on HTTP and gRPC alike. Throws KeysUnavailableError while the store cannot check keys.
   */
  async admit(key: string | null, origin: RequestOrigin, roles: readonly ApiKeyRole[]): Promise<Admission> {
    let principal: Principal | null;
    try {
      principal = await this.authenticate(key, origin);
      if (!principal) return { refused: 'unauthenticated', message: await this.refusal(key, origin) };
    } catch {
      throw new KeysUnavailableError();
    }
    if (principal.role === 'admin' || roles.includes(principal.role)) return { principal };
    return {
      refused: 'forbidden',
      message: `this API key has role "${principal.role}"; this endpoint needs ${[...new Set([...roles, 'admin'])].join(' or ')}`,
    };
  }

  /** Why a request without a valid key is refused, and what to do: the 401's message. */
  async refusal(key: string | null, origin: RequestOrigin): Promise<string> {
    const mode = await this.mode();
    if (mode === 'locked') {
      return 'no API key is live: this service had keys, so it does not fall back to open mode. Create one on the server with `tokenledger keys create --role admin`, or set TOKENLEDGER_ALLOW_OPEN_MODE=true to serve loopback without keys again';
    }
    if (mode === 'open' && key === null && !isLocalOrigin(origin)) {
      return 'open mode (no API keys) only answers requests from 127.0.0.1 or ::1 addressed to localhost, 127.0.0.1 or [::1]; create API keys (`tokenledger keys create`) to serve anything else';
    }
    return key === null
      ? 'a valid API key is required: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"'
      : 'a valid API key is required: this one is unknown or revoked; send a live key as "Authorization: Bearer <key>" or "x-api-key: <key>"';
  }

  private async wereKeysRequired(): Promise<boolean> {
    if (!this.keysWereRequired) {
      this.keysWereRequired = (await this.keys.listApiKeys(null)).length > 0 || (await this.keysRequired.isMarked());
    }
    return this.keysWereRequired;
  }

  /** Logs a change of mode (the first one is in the start-up line), and a locked service whenever it is found locked anew. */
  private note(mode: AccessMode): void {
    const previous = this.lastMode;
    this.lastMode = mode;
    if (previous === mode) return;
    if (mode === 'locked') {
      this.logger.warn(
        'no API key is live and this service had keys: every request is refused until one is created (`tokenledger keys create --role admin`) or TOKENLEDGER_ALLOW_OPEN_MODE=true is set',
      );
    } else if (previous === null) {
      return;
    } else if (mode === 'open') {
      this.logger.warn('entered open mode: no API key is live, so requests from loopback addressed to localhost need no key (one tenant, "default")');
    } else if (previous === 'open') {
      this.logger.log('left open mode: API keys exist, so every request needs one');
    } else {
      this.logger.log('API keys are live again: requests with a valid key are served');
    }
  }
}
