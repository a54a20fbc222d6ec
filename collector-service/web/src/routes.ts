/** The dashboard's client-side routes under /dashboard; the service answers every one of them with index.html. */
export const BASE = '/dashboard';

export const currentPath = () => location.pathname.replace(/^\/dashboard/, '').replace(/\/$/, '');
