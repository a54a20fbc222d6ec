/**
 * Why the service cannot start, in one line that names what is wrong (a path, a URI, a port, a
 * file and line) and what to do. The start-up prints it and exits with code 1, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** A failed listen on host:port, said as what to change; `variable` is the setting that chose the port. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number, variable: string): StartupError {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new StartupError(`cannot listen on ${where}: the port is in use by another process; stop it, or set ${variable} to a free port (0 picks one)`);
    case 'EACCES':
      return new StartupError(`cannot listen on ${where}: not allowed to bind that port (below 1024 needs privileges); set ${variable} to 1024 or above`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartupError(
        `cannot listen on ${where}: ${host} is not an address of this machine; set TOKENLEDGER_HOST to one of its addresses (127.0.0.1, or 0.0.0.0 for all)`,
      );
    default:
      return new StartupError(`cannot listen on ${where}: ${err.message}`);
  }
}
