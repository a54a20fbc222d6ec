import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../auth/api-keys';
import { MoneyDto, TokensDto } from '../reports/report-answers.dto';

/** What the dashboard needs before sign-in. */
export class UiConfigDto {
  @ApiProperty({ description: 'No key is needed from this address' }) openMode!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Where trace links point (TOKENLEDGER_JAEGER_URL)' }) jaegerUrl!: string | null;
  @ApiProperty({ enum: ROLES, nullable: true, description: 'The role of the key presented; null: no key or an unknown one' }) role!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The tenant of the key presented; null: every tenant, or no key' }) tenant!: string | null;
}

class CatalogDto {
  @ApiProperty({ example: '@pydantic/genai-prices' }) package!: string;
  @ApiProperty() version!: string;
}

class SupplementalDto {
  @ApiProperty({ description: 'The file name (the whole path for an admin key)' }) path!: string;
  @ApiProperty({ type: String, nullable: true }) version!: string | null;
}

class OperatorFileDto {
  @ApiProperty({ description: 'The file name (the whole path for an admin key)' }) path!: string;
  @ApiProperty() sha256!: string;
}

/** The prices in force: the catalog, the supplemental file and the operator's file (null when none is set). */
class PriceBookDto {
  @ApiProperty() version!: string;
  @ApiProperty({ type: CatalogDto }) catalog!: CatalogDto;
  @ApiProperty({ type: SupplementalDto }) supplemental!: SupplementalDto;
  @ApiProperty({ type: OperatorFileDto, nullable: true }) operator!: OperatorFileDto | null;
}

class ModelRowDto extends MoneyDto {
  @ApiProperty({ type: String, nullable: true }) provider!: string | null;
  @ApiProperty({ type: String, nullable: true }) model!: string | null;
  @ApiProperty() calls!: number;
  @ApiProperty() unpricedCalls!: number;
  @ApiProperty({ type: TokensDto }) tokens!: TokensDto;
  @ApiProperty({ type: String, nullable: true, description: 'The price source of the newest call' }) priceSource!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, nullable: true, description: 'USD per unit of the newest call' })
  unitPrices!: Record<string, string> | null;

  @ApiProperty({ type: String, nullable: true }) priceBookVersion!: string | null;
  @ApiProperty({ type: String, nullable: true }) unpricedReason!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'A fine-tuned model without rates: the operator price-file entry (YAML) that would price it' })
  priceFileEntry!: string | null;
}

export class ModelsReportDto {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ example: 'UTC' }) tz!: string;
  @ApiProperty({ type: PriceBookDto }) priceBook!: PriceBookDto;
  @ApiProperty({ type: [ModelRowDto], description: 'Most cost first' }) models!: ModelRowDto[];
  @ApiProperty({ description: 'More models were used than listed' }) truncated!: boolean;
}
