import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal } from './principal.decorator';
import type { Principal } from './principal';
import { Roles } from './roles.decorator';
import { AuthService } from './auth.service';
import { ApiInputErrors, ApiNotFound } from '../http/api-errors';
import { CreateKeyDto } from './key.dto';
import { CreatedKeyDto, KeyListDto } from './key-answers.dto';
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
  @ApiCreatedResponse({ type: CreatedKeyDto })
  @ApiInputErrors()
  async create(@Body() body: CreateKeyDto, @CurrentPrincipal() principal: Principal): Promise<CreatedKey> {
    const created = await this.keys.create(body, principal.tenant);
    await this.auth.keysChanged(); // the key works at once, and the log says now that open mode is left
    return created;
  }

  @Get()
  @ApiOkResponse({ type: KeyListDto })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ keys: KeyView[] }> {
    return { keys: await this.keys.list(principal.tenant) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: the key is refused from now on' })
  @ApiNotFound('active API key')
  async revoke(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.keys.revoke(id, principal.tenant);
    await this.auth.keysChanged(); // the key is refused at once, and the log says now that open mode is entered (or the service locked)
  }
}
