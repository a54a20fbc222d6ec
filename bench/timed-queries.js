// Times a GET query against a service over HTTP so that a slow one cannot stop a run: each request
// gives up after its own timeout (node:http has no header timeout of its own, unlike fetch's 300 s),
// and each query stops being timed once it has used its time budget and taken a few timings.
//   BENCH_REQUEST_TIMEOUT_S (60 by default): a request unanswered after it ends its query as "over N s"
//   BENCH_QUERY_SECONDS (60 by default): a query is timed again only while it has taken less than this
'use strict';
const http = require('node:http');
const { percentile } = require('./stats');

/** The fewest timings a query takes, whatever its budget. */
const MIN_TIMINGS = 3;

function seconds(name, fallback) {
  const raw = process.env[name];
  const value = Number(raw ?? fallback);
  if (!(value > 0)) throw new Error(`${name} is a number of seconds above 0, got "${raw}"`);
  return value;
}

/** A request with no whole answer within its timeout. */
class RequestTimeout extends Error {
  constructor(timeoutMs) {
    super(`no answer within ${timeoutMs / 1000} s`);
    this.timeoutMs = timeoutMs;
  }
}

/** GET `url` and its whole body as { status, body }; RequestTimeout when that takes more than `timeoutMs`. */
function get(url, timeoutMs, agent) {
  return new Promise((resolve, reject) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const fail = (err) => reject(signal.aborted ? new RequestTimeout(timeoutMs) : err);
    const req = http.get(url, { agent, signal }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error(`${url}: the answer was cut short`)));
    });
    req.on('error', fail);
  });
}

/**
 * Times GET `url`: one request first (untimed), then up to `rounds` timed ones, the last of them the
 * first to start once the query has run `budgetMs` (counted from its first request) with at least
 * MIN_TIMINGS taken. An answer other than 200 throws. A request over `timeoutMs` ends the query:
 * { overS, taken } instead of the figures { p50, p95, taken, rounds }.
 */
async function timeQuery(url, options = {}) {
  const { rounds = 20, timeoutMs = seconds('BENCH_REQUEST_TIMEOUT_S', 60) * 1000, budgetMs = seconds('BENCH_QUERY_SECONDS', 60) * 1000, agent } = options;
  const started = performance.now();
  const ms = [];
  for (let i = -1; i < rounds; i++) {
    if (ms.length >= MIN_TIMINGS && performance.now() - started >= budgetMs) break;
    const t = performance.now();
    let res;
    try {
      res = await get(url, timeoutMs, agent);
    } catch (err) {
      if (err instanceof RequestTimeout) return { overS: timeoutMs / 1000, taken: ms.length };
      throw err;
    }
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.body.toString().slice(0, 500)}`);
    if (i >= 0) ms.push(performance.now() - t);
  }
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), taken: ms.length, rounds };
}

/** A query's figures for a line: "p50 … ms, p95 … ms", with the number of timings when the budget cut them short, or "over N s". */
function figures(t) {
  if (t.overS !== undefined) return `over ${t.overS} s`;
  return `p50 ${t.p50.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms` + (t.taken < t.rounds ? ` (${t.taken} timings)` : '');
}

module.exports = { MIN_TIMINGS, RequestTimeout, figures, get, timeQuery };
