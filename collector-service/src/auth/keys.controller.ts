import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal } from './principal.decorator';
import type { Principal } from './principal';
import { Roles } from './roles.decorator';
import { type CreatedKey, type KeyView, KeysService } from './keys.service';

@ApiTags('keys')
@Controller('v1/keys')
@Roles('admin')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  create(@Body() body: Record<string, unknown> | undefined, @CurrentPrincipal() principal: Principal): Promise<CreatedKey> {
    return this.keys.create(body ?? {}, principal.tenant);
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ keys: KeyView[] }> {
    return { keys: await this.keys.list(principal.tenant) };
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.keys.revoke(id, principal.tenant);
  }
}
