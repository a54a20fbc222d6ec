import { ApiProperty } from '@nestjs/swagger';

/** The tenants a key may pass as `tenant`. */
export class TenantListDto {
  @ApiProperty({ description: 'Whether the asking key is one of every tenant' }) allTenants!: boolean;
  @ApiProperty({ type: [String], description: 'Sorted' }) tenants!: string[];
}
