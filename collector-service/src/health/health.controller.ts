import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { PricingService } from '../pricing/pricing.service';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    private readonly pricing: PricingService,
  ) {}

  /** The process is up. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready to acknowledge data: the store answers and the price book is loaded. */
  @Get('readyz')
  async readyz(): Promise<{ status: 'ready'; store: string; priceBook: string }> {
    try {
      await this.storage.ping();
    } catch (err) {
      throw new HttpException({ status: 'unavailable', reason: `store: ${(err as Error).message}` }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: 'ready', store: this.storage.kind, priceBook: this.pricing.book.version };
  }
}
