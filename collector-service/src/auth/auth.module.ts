import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';

@Module({
  controllers: [KeysController],
  providers: [AuthService, KeysService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, KeysService],
})
export class AuthModule {}
