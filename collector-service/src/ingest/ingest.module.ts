import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { UsageModule } from '../usage/usage.module';
import { CONFIG, type CollectorConfig } from '../config/config';
import { InflightBytes } from './inflight-bytes';
import { IngestController } from './ingest.controller';
import { IngestEvents } from './ingest-events';
import { IngestRejections } from './ingest-rejections';
import { IngestService } from './ingest.service';
import { OtlpGrpcReceiver } from './otlp-grpc.receiver';
import { SpanPricingPool } from './span-pricing.pool';
import { UsageService } from '../usage/usage.service';
import { RejectionsMiddleware } from './rejections.middleware';

@Module({
  imports: [UsageModule, AuthModule],
  controllers: [IngestController],
  providers: [
    IngestService,
    IngestEvents,
    IngestRejections,
    OtlpGrpcReceiver,
    // One budget of request bytes for every receiver of this service.
    {
      provide: SpanPricingPool,
      useFactory: (usage: UsageService, config: CollectorConfig) => new SpanPricingPool(usage, config.pricesFile, config.ingestWorkers, config.store),
      inject: [UsageService, CONFIG],
    },
    { provide: InflightBytes, useFactory: (config: CollectorConfig) => new InflightBytes(config.maxInflightBytes), inject: [CONFIG] },
  ],
  exports: [OtlpGrpcReceiver, IngestEvents, IngestRejections],
})
export class IngestModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RejectionsMiddleware).forRoutes({ path: 'v1/traces', method: RequestMethod.POST }, { path: 'v1/metrics', method: RequestMethod.POST });
  }
}
