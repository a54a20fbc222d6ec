import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { UsageModule } from '../usage/usage.module';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { OtlpGrpcReceiver } from './otlp-grpc.receiver';

@Module({ imports: [UsageModule, AuthModule], controllers: [IngestController], providers: [IngestService, OtlpGrpcReceiver], exports: [OtlpGrpcReceiver] })
export class IngestModule {}
