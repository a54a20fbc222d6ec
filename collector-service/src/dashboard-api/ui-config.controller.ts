import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { keyFromHeaders } from '../auth/api-keys';
import type { AuthenticatedRequest } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { originOf } from '../auth/request-origin';
import { Public } from '../auth/roles.decorator';
import { UiConfigService } from './ui-config.service';
import { UiConfigDto } from './ui.dto';

/** What the dashboard needs before sign-in: nothing secret, only whether a key is needed and where traces live. */
@ApiTags('dashboard')
@Controller('v1/ui')
@Public()
export class UiConfigController {
  constructor(
    private readonly auth: AuthService,
    private readonly ui: UiConfigService,
  ) {}

  @Get('config')
  @ApiOperation({ summary: 'Dashboard settings: open mode, Jaeger URL, and the role of the key presented (if any)' })
  @ApiOkResponse({ type: UiConfigDto })
  async config(@Req() req: AuthenticatedRequest): Promise<UiConfigDto> {
    const origin = originOf(req);
    const principal = await this.auth.authenticate(keyFromHeaders(req.headers), origin);
    return this.ui.config(await this.auth.openFor(origin), principal);
  }
}
