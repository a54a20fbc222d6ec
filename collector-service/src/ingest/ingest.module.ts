import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';

@Module({ imports: [UsageModule], controllers: [IngestController], providers: [IngestService] })
export class IngestModule {}
