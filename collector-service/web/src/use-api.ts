import { useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
}

/**
 * Loads once per change of `key` (a string of everything the request depends on); a stale answer is
 * dropped. `arrived` may hand over an answer already in (a prefetched one): the first render then
 * shows it, with no loading render and no request.
 */
export function useApi<T>(load: () => Promise<T>, key: string, reloadToken = 0, arrived?: () => T | undefined): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>(() => {
    const data = arrived?.();
    return { data, error: null, loading: data === undefined };
  });
  const skipFirstLoad = useRef(!state.loading);
  useEffect(() => {
    if (skipFirstLoad.current) {
      skipFirstLoad.current = false;
      return;
    }
    let current = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (err: unknown) => current && setState({ data: undefined, error: err instanceof Error ? err.message : String(err), loading: false }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, reloadToken]);
  return state;
}
