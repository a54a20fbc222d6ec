import { ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal } from './principal.decorator';
import type { Principal } from './principal';
import { Roles } from './roles.decorator';
import { AuthService } from './auth.service';
import { type CreatedKey, type KeyView, KeysService } from './keys.service';

@ApiTags('keys')
@Controller('v1/keys')
@Roles('admin')
export class KeysController {
  constructor(
    private readonly keys: KeysService,
    private readonly auth: AuthService,
  ) {}

  @Post()
  async create(@Body() body: Record<string, unknown> | undefined, @CurrentPrincipal() principal: Principal): Promise<CreatedKey> {
    const created = await this.keys.create(body ?? {}, principal.tenant);
    await this.auth.mode(); // logs leaving open mode now, not at the next request
    return created;
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<{ keys: KeyView[] }> {
    return { keys: await this.keys.list(principal.tenant) };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.keys.revoke(id, principal.tenant);
    await this.auth.mode(); // logs entering open mode (or being locked) now
  }
}
