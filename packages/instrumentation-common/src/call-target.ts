/** Where a call goes, read from the SDK object its method was called on. */
export interface CallTarget {
  /** `gen_ai.provider.name` (the instrumentation's `providerName` setting overrides it). */
  provider: string;
  serverAddress: string | null;
  serverPort: number | null;
}

/** `provider` at the host and port of `baseUrl` (the scheme's port when it names none); no server for an unparsable URL. */
export function targetOfUrl(baseUrl: string | undefined, provider: string): CallTarget {
  try {
    const url = new URL(baseUrl ?? '');
    return { provider, serverAddress: url.hostname, serverPort: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
  } catch {
    // The SDK will fail the call itself.
    return { provider, serverAddress: null, serverPort: null };
  }
}

/**
 * Remembers a client's target while its base URL stays the same: a client's base URL rarely changes,
 * and parsing it on every call shows in the per-call cost. Entries go with their clients.
 */
export function targetPerClient<Client extends object>(
  find: (client: Client | undefined, baseUrl: string | undefined) => CallTarget,
): (client: Client | undefined, baseUrl: string | undefined) => CallTarget {
  const known = new WeakMap<Client, { baseUrl: string | undefined; target: CallTarget }>();
  return (client, baseUrl) => {
    if (!client) return find(client, baseUrl);
    const cached = known.get(client);
    if (cached !== undefined && cached.baseUrl === baseUrl) return cached.target;
    const target = find(client, baseUrl);
    known.set(client, { baseUrl, target });
    return target;
  };
}
