import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AlertTenants } from '../alerts/tenants';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { TenantListDto } from './tenant-list.dto';

/** The tenants a key may report on, so a dashboard can offer them. */
@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1/tenants')
@Roles('viewer')
export class TenantsController {
  constructor(private readonly tenants: AlertTenants) {}

  @Get()
  @ApiOperation({
    summary: 'Tenants the key may pass as `tenant` to the reports',
    description:
      'A key of every tenant sees `default` and every tenant that has stored calls, keys, alert rules or channels; a key of one tenant sees only its own. `allTenants` says which kind of key asked.',
  })
  @ApiOkResponse({ type: TenantListDto })
  async list(@CurrentPrincipal() p: Principal): Promise<TenantListDto> {
    if (p.tenant !== null) return { allTenants: false, tenants: [p.tenant] };
    return { allTenants: true, tenants: await this.tenants.all() };
  }
}
