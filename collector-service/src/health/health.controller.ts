import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import { Public } from '../auth/roles.decorator';
import { BillSyncService } from '../billing/bill-sync.service';
import { PricingService } from '../pricing/pricing.service';
import type { StoragePort } from '../storage/storage.port';
import { STORAGE } from '../storage/storage.tokens';
import { LiveDto, NotReadyDto, ReadyDto } from './health.dto';

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(STORAGE) private readonly storage: StoragePort,
    private readonly pricing: PricingService,
    private readonly bills: BillSyncService,
  ) {}

  /** The process is up. */
  @Get('healthz')
  @ApiOkResponse({ type: LiveDto })
  healthz(): LiveDto {
    return { status: 'ok' };
  }

  /**
   * Ready to acknowledge data: the store answers and the price book is loaded. `providerBills` (once a
   * provider's bill is imported for some tenant) says, per provider, how many tenants import it, how
   * many imports are failing (they are retried; the log says why), and when one last succeeded: a
   * failing import does not make the service unready.
   */
  @Get('readyz')
  @ApiOkResponse({ type: ReadyDto })
  @ApiServiceUnavailableResponse({ type: NotReadyDto, description: 'The store does not answer' })
  async readyz(): Promise<ReadyDto> {
    try {
      await this.storage.ping();
    } catch (err) {
      throw new HttpException({ status: 'unavailable', reason: `store: ${(err as Error).message}` }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    const providerBills = this.bills.health();
    return { status: 'ready', store: this.storage.kind, priceBook: this.pricing.book.version, ...(providerBills ? { providerBills } : {}) };
  }
}
