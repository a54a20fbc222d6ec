import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BudgetCheckRequest, BudgetDecision } from '../../src';

export interface BudgetStub {
  url: string;
  checks: { body: BudgetCheckRequest; headers: IncomingHttpHeaders }[];
  /** How the next checks are answered: a decision, or 'hang' (never answers). */
  answer: (body: BudgetCheckRequest) => BudgetDecision | 'hang';
  close(): Promise<void>;
}

export const ALLOW: BudgetDecision = { allowed: true, decision: 'allow', budgets: [], resetsAt: null };
export const BLOCK: BudgetDecision = {
  allowed: false,
  decision: 'block',
  budgets: [
    { id: 'b-notify', name: 'team watch', spentUsd: '12.00', limitUsd: '5.00', state: 'exceeded', action: 'notify' },
    { id: 'b-daily', name: 'per-user daily', spentUsd: '12.00', limitUsd: '10.00', state: 'exceeded', action: 'block' },
  ],
  resetsAt: '2026-12-01T00:00:00.000Z',
};

/**
 * Speaks the collector's `POST /v1/budgets/check` contract (issue 6) with scripted answers, so the
 * guard's caching can be tested decision by decision; the real collector is used in
 * budget-collector.test.ts.
 */
export async function startBudgetStub(): Promise<BudgetStub> {
  const stub: BudgetStub = { url: '', checks: [], answer: () => ALLOW, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as BudgetCheckRequest;
      stub.checks.push({ body, headers: req.headers });
      const answer = stub.answer(body);
      if (answer === 'hang') return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}
