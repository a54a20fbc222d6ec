/** The dashboard's client-side routes under /dashboard; the service answers every one of them with index.html. */
export const BASE = '/dashboard';

export const currentPath = () => location.pathname.replace(/^\/dashboard/, '').replace(/\/$/, '');

/** A call's own page: /usage/<record id>. */
export const callPath = (id: string) => `/usage/${id}`;
export const callIdOf = (path: string) => /^\/usage\/([0-9a-f]{48})$/i.exec(path)?.[1] ?? null;
