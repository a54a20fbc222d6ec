import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LiveDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

/** How the imports of one provider's bills stand across tenants. */
export class BillImportsHealthDto {
  @ApiProperty({ description: 'Tenants importing this provider' }) tenants!: number;
  @ApiProperty({ description: 'Of them, those whose last import failed (retried; the log says why)' }) failing!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lastSuccessAt!: string | null;
}

export class ProviderBillsHealthDto {
  @ApiProperty({ type: BillImportsHealthDto }) openai!: BillImportsHealthDto;
  @ApiProperty({ type: BillImportsHealthDto }) anthropic!: BillImportsHealthDto;
}

export class ReadyDto {
  @ApiProperty({ enum: ['ready'] }) status!: 'ready';
  @ApiProperty({ enum: ['sqlite', 'mongo'] }) store!: string;
  @ApiProperty({ description: 'Version of the loaded price book' }) priceBook!: string;
  @ApiPropertyOptional({ type: ProviderBillsHealthDto, description: "Once a provider's bill is imported for some tenant" })
  providerBills?: ProviderBillsHealthDto;
}

export class NotReadyDto {
  @ApiProperty({ enum: ['unavailable'] }) status!: 'unavailable';
  @ApiProperty({ example: 'store: connection refused' }) reason!: string;
}
