import { ApiProperty } from '@nestjs/swagger';
import { TokensDto } from './report-answers.dto';

const NULLABLE_TEXT = { type: String, nullable: true } as const;
const NULLABLE_NUMBER = { type: Number, nullable: true } as const;
const PRICES = { type: 'object', additionalProperties: { type: 'string' }, nullable: true } as const;

class AudioTokensDto {
  @ApiProperty() input!: number;
  @ApiProperty() output!: number;
}

/** Tokens priced at their own rates, each within another count. */
class TokenDetailsDto {
  @ApiProperty() audioCacheRead!: number;
  @ApiProperty() imageInput!: number;
  @ApiProperty() imageCacheRead!: number;
  @ApiProperty() videoInput!: number;
  @ApiProperty() imageOutput!: number;
  @ApiProperty() cacheWrite1h!: number;
}

/** How a call was priced before a re-pricing replaced it. */
class PriorPricingDto {
  @ApiProperty({ ...NULLABLE_TEXT, description: 'nano-USD, an integer string; null when unpriced' }) costNanos!: string | null;
  @ApiProperty(NULLABLE_TEXT) unpricedReason!: string | null;
  @ApiProperty(PRICES) unitPrices!: Record<string, string> | null;
  @ApiProperty(NULLABLE_TEXT) priceSource!: string | null;
  @ApiProperty(NULLABLE_TEXT) priceBookVersion!: string | null;
  @ApiProperty({ description: 'When the re-pricing that replaced it ran, epoch milliseconds' }) repricedAtMs!: number;
}

/** One stored call, every field; money as exact strings, null when the call is unpriced. */
export class RecordDto {
  @ApiProperty({ description: 'Trace id + span id, 48 hex characters' }) id!: string;
  @ApiProperty() traceId!: string;
  @ApiProperty() spanId!: string;
  @ApiProperty() tenant!: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
  @ApiProperty({ description: 'The span start, epoch milliseconds' }) timeMs!: number;
  @ApiProperty() service!: string;
  @ApiProperty(NULLABLE_TEXT) environment!: string | null;
  @ApiProperty({ example: 'openai' }) provider!: string;
  @ApiProperty({ description: 'The response model, else the request model' }) model!: string;
  @ApiProperty(NULLABLE_TEXT) requestModel!: string | null;
  @ApiProperty({ example: 'chat' }) operation!: string;
  @ApiProperty({ example: 'chat' }) costType!: string;
  @ApiProperty({ type: TokensDto }) tokens!: TokensDto;
  @ApiProperty({ type: AudioTokensDto, nullable: true, description: 'Within tokens.input and tokens.output; null when the call had none' })
  audioTokens!: AudioTokensDto | null;

  @ApiProperty({ type: TokenDetailsDto, nullable: true }) tokenDetails!: TokenDetailsDto | null;
  @ApiProperty(NULLABLE_NUMBER) imageCount!: number | null;
  @ApiProperty(NULLABLE_TEXT) imageSize!: string | null;
  @ApiProperty(NULLABLE_TEXT) imageQuality!: string | null;
  @ApiProperty(NULLABLE_NUMBER) audioSeconds!: number | null;
  @ApiProperty(NULLABLE_NUMBER) characters!: number | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'A payment fee event: the amount charged, USD decimal string' }) paymentAmountUsd!: string | null;
  @ApiProperty(NULLABLE_TEXT) paymentGateway!: string | null;
  @ApiProperty(NULLABLE_TEXT) user!: string | null;
  @ApiProperty(NULLABLE_TEXT) agent!: string | null;
  @ApiProperty(NULLABLE_TEXT) conversation!: string | null;
  @ApiProperty(NULLABLE_TEXT) feature!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) tags!: Record<string, string>;
  @ApiProperty({ enum: ['ok', 'error'] }) status!: 'ok' | 'error';
  @ApiProperty(NULLABLE_TEXT) errorType!: string | null;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Integer nano-USD as a string; null when unpriced' }) costNanos!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'USD as a decimal string, 9 places; null when unpriced' }) costUsd!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Why there is no cost: unknown_model, missing_dimension, invalid_usage' }) unpricedReason!: string | null;
  @ApiProperty({ ...PRICES, description: 'USD per one unit, exact decimal strings, as the call was priced' }) unitPrices!: Record<string, string> | null;
  @ApiProperty({ ...PRICES, description: 'How many of each unit were priced, decimal strings' }) priceQuantities!: Record<string, string> | null;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The batch and operator discounts the sum was multiplied by ("1": none)' }) priceMultiplier!: string | null;
  @ApiProperty({ ...NULLABLE_TEXT, example: 'catalog:@pydantic/genai-prices@0.1.8' }) priceSource!: string | null;
  @ApiProperty(NULLABLE_TEXT) priceBookVersion!: string | null;
  @ApiProperty({ type: [PriorPricingDto], description: 'How the call was priced before each re-pricing, oldest first' }) priorPricings!: PriorPricingDto[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'A cost the emitter supplied, nano-USD; kept, never used as the cost' }) providedCostNanos!: string | null;
  @ApiProperty(NULLABLE_TEXT) providedCostUsd!: string | null;
  @ApiProperty({ description: 'The instrumentation estimated the token counts' }) estimated!: boolean;
  @ApiProperty({ description: 'Sent through a batch API' }) batch!: boolean;
  @ApiProperty(NULLABLE_TEXT) batchId!: string | null;
  @ApiProperty({ description: 'The instrumentation whose span it was: tokenledger, genai-semconv, openllmetry, ...' }) source!: string;
  @ApiProperty({ ...NULLABLE_TEXT, description: 'The trace in Jaeger, when TOKENLEDGER_JAEGER_URL is set' }) traceUrl!: string | null;
}

export class UsagePageDto {
  @ApiProperty({ type: [RecordDto], description: 'Newest first' }) records!: RecordDto[];
  @ApiProperty({ ...NULLABLE_TEXT, description: 'Pass as cursor for the next page; null on the last' }) nextCursor!: string | null;
}
