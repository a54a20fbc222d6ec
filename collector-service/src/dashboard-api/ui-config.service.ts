import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { CONFIG, type CollectorConfig } from '../config/config';

@Injectable()
export class UiConfigService {
  constructor(@Inject(CONFIG) private readonly cfg: CollectorConfig) {}

  config(openMode: boolean, principal: Principal | null) {
    return {
      openMode,
      jaegerUrl: this.cfg.jaegerUrl,
      // null: no key or an unknown one; the dashboard then asks for a key.
      role: principal?.role ?? null,
      tenant: principal ? principal.tenant : null,
    };
  }
}
