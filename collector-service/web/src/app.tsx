import { type FormEvent, lazy, Suspense, useEffect, useState } from 'react';
import { loadUiConfig, setTenant, storedKey, storeKey, type UiConfig } from './api';
import { formText } from './forms';
import { ScopeBar } from './components/scope-bar';
import { TenantPicker } from './components/tenant-picker';
import { OverviewPage } from './pages/overview';
import { BASE, callIdOf, callPath, currentPath } from './routes';
import { initialScope, type Scope, scopeSearch } from './scope';

// The other pages load when first opened, so the overview's code is all a first visit waits for.
const UsagePage = lazy(() => import('./pages/usage').then((m) => ({ default: m.UsagePage })));
const ModelsPage = lazy(() => import('./pages/models').then((m) => ({ default: m.ModelsPage })));
const BudgetsPage = lazy(() => import('./pages/budgets').then((m) => ({ default: m.BudgetsPage })));
const AlertsPage = lazy(() => import('./pages/alerts').then((m) => ({ default: m.AlertsPage })));
const CallPage = lazy(() => import('./pages/call').then((m) => ({ default: m.CallPage })));
const ReconciliationPage = lazy(() => import('./pages/reconciliation').then((m) => ({ default: m.ReconciliationPage })));
const PAGES = [
  { path: '', title: 'Overview' },
  { path: '/usage', title: 'Usage explorer' },
  { path: '/models', title: 'Models and prices' },
  { path: '/budgets', title: 'Budgets' },
  { path: '/alerts', title: 'Alerts' },
  { path: '/reconciliation', title: 'Reconciliation' },
] as const;

/** Client-side routes under /dashboard; the service answers every one of them with index.html. */
function usePath(): [string, (p: string) => void] {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onPop = () => setPath(currentPath());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (p: string) => {
    history.pushState(null, '', BASE + p + location.search);
    setPath(p);
  };
  return [path, go];
}

function SignIn({ onSignedIn, problem }: { onSignedIn: (key: string, config: UiConfig) => void; problem: string | null }) {
  const [error, setError] = useState<string | null>(problem);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const key = formText(new FormData(e.currentTarget), 'key').trim();
    try {
      const config = await loadUiConfig(key);
      if (config.role === null) setError('That key is not valid here. Ask an admin for a viewer key.');
      else if (config.role === 'ingest') setError('That is an ingest key, which can only send telemetry. Sign in with a viewer or admin key.');
      else if (config.role === 'metrics') setError('That is a metrics key, which can only read /metrics. Sign in with a viewer or admin key.');
      else onSignedIn(key, config);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main className="sign-in">
      <h1>tokenledger</h1>
      <form onSubmit={submit}>
        <label>
          API key (viewer or admin)
          <input name="key" type="password" autoComplete="off" required />
        </label>
        <button type="submit">Sign in</button>
        <p className="hint">The key is kept for this browser tab only.</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

/** The key's settings as the entry received them (or why not), so the first render is the page itself. */
export interface FirstConfig {
  config: UiConfig | null;
  problem: string | null;
}

export function App({ first }: { first: FirstConfig }) {
  const [config, setConfig] = useState<UiConfig | null>(first.config);
  const problem = first.problem;
  const [scope, setScope] = useState<Scope>(initialScope);
  const [path, go] = usePath();

  useEffect(() => {
    history.replaceState(null, '', location.pathname + scopeSearch(scope));
  }, [scope]);

  if (config === null) return problem ? <SignIn problem={problem} onSignedIn={() => location.reload()} /> : <p className="loading">Loading…</p>;
  if (!config.openMode && (config.role === null || config.role === 'ingest' || config.role === 'metrics')) {
    return (
      <SignIn
        problem={storedKey() ? 'Your key is no longer accepted; sign in again.' : null}
        onSignedIn={(key, c) => {
          storeKey(key);
          setConfig(c);
        }}
      />
    );
  }
  // A call's own page (/usage/<id>) belongs to the usage explorer, which links to it.
  const callId = callIdOf(path);
  const page = callId ? PAGES[1] : (PAGES.find((p) => p.path === path) ?? PAGES[0]);
  // A key of every tenant reports on the tenant picked; a key of one tenant always on its own. Set
  // while rendering, before any page below asks for data.
  const allTenants = config.tenant === null;
  const tenant = allTenants ? (scope.tenant ?? 'default') : config.tenant;
  setTenant(config.tenant, scope.tenant);
  const signOut = () => {
    storeKey(null);
    setConfig({ ...config, role: null });
  };
  return (
    <>
      <header className="top">
        <span className="brand">tokenledger</span>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a
              key={p.path}
              href={BASE + p.path}
              aria-current={p === page ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                go(p.path);
              }}
            >
              {p.title}
            </a>
          ))}
        </nav>
        <span className="who">
          {allTenants && <TenantPicker value={tenant!} onChange={(t) => setScope({ ...scope, tenant: t === 'default' ? undefined : t })} />}
          {config.openMode ? 'open mode' : `${config.role}${config.tenant ? ` · ${config.tenant}` : ''}`}
          {!config.openMode && (
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          )}
        </span>
      </header>
      {/* Keyed by tenant: every page starts afresh on another tenant's data. */}
      <main key={tenant}>
        <h1>{callId ? 'Call' : page.title}</h1>
        {!callId && page.path !== '/budgets' && page.path !== '/alerts' && page.path !== '/reconciliation' && (
          <ScopeBar scope={scope} onChange={setScope} showFilters={page.path !== '/models'} />
        )}
        {page.path === '' && <OverviewPage scope={scope} />}
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {callId && <CallPage id={callId} tz={scope.tz} onBack={() => go('/usage')} />}
          {page.path === '/usage' && !callId && <UsagePage scope={scope} jaegerUrl={config.jaegerUrl} onOpenCall={(id) => go(callPath(id))} />}
          {page.path === '/models' && <ModelsPage scope={scope} />}
          {page.path === '/budgets' && <BudgetsPage isAdmin={config.role === 'admin'} />}
          {page.path === '/alerts' && <AlertsPage />}
          {page.path === '/reconciliation' && <ReconciliationPage isAdmin={config.role === 'admin'} />}
        </Suspense>
      </main>
    </>
  );
}
