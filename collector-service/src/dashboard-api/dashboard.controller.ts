import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { DASHBOARD_DIR, dashboardBuilt, dashboardFile } from './dashboard-files';

/**
 * Serves the built single-page dashboard at /dashboard. The page itself holds no data: every figure
 * comes from the report API with the key the user signs in with, so the files are public.
 */
@ApiExcludeController()
@Controller('dashboard')
@Public()
export class DashboardController {
  @Get(['', '*path'])
  serve(@Req() req: Request, @Res() res: Response): void {
    if (!dashboardBuilt()) {
      res
        .status(503)
        .type('text/plain')
        .send('The dashboard is not built. Run `./run npm run build -w @tokenledger/collector-service` and restart the service.\n');
      return;
    }
    const file = dashboardFile(req.path);
    if (file === null) return notFound(res);
    // Vite names assets by content hash, so they never change; index.html must be re-read to pick up a new build.
    const immutable = file.startsWith('assets/');
    res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    // A file that vanishes between the check and the read is one more 404, not a logged stack trace.
    res.sendFile(file, { root: DASHBOARD_DIR, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) notFound(res);
    });
  }
}

/** One answer for every path that is not a file of the build, so none tells what exists elsewhere. */
function notFound(res: Response): void {
  res.status(404).type('text/plain').send('Not found: no such page or file in the dashboard.\n');
}
