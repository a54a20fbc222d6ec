import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * The OTLP/JSON messages the receivers read and answer, as the OpenAPI document describes them
 * (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): field names in lowerCamelCase,
 * trace and span ids as hex, 64-bit integers as decimal strings (numbers are read too), enums as
 * integers. The receivers decode the bytes themselves (otlp-decode.ts), so these classes only
 * document; the protobuf form of the same messages is otlp-schema.ts.
 */

// In this order: a property typed by a class names it in its metadata, so the class must be defined first.
export class OtlpArrayValueDto {
  @ApiProperty({ type: () => [OtlpAnyValueDto] }) values!: OtlpAnyValueDto[];
}

export class OtlpKeyValueListDto {
  @ApiProperty({ type: () => [OtlpKeyValueDto] }) values!: OtlpKeyValueDto[];
}

export class OtlpAnyValueDto {
  @ApiPropertyOptional() stringValue?: string;
  @ApiPropertyOptional() boolValue?: boolean;
  @ApiPropertyOptional({ description: 'A 64-bit integer, as a decimal string', example: '1200' }) intValue?: string;
  @ApiPropertyOptional() doubleValue?: number;
  @ApiPropertyOptional({ type: () => OtlpArrayValueDto }) arrayValue?: OtlpArrayValueDto;
  @ApiPropertyOptional({ type: () => OtlpKeyValueListDto }) kvlistValue?: OtlpKeyValueListDto;
  @ApiPropertyOptional({ description: 'Base64' }) bytesValue?: string;
}

export class OtlpKeyValueDto {
  @ApiProperty({ example: 'gen_ai.usage.input_tokens' }) key!: string;
  @ApiProperty({ type: () => OtlpAnyValueDto }) value!: OtlpAnyValueDto;
}

export class OtlpResourceDto {
  @ApiProperty({ type: [OtlpKeyValueDto], description: 'service.name and the other resource attributes' }) attributes!: OtlpKeyValueDto[];
}

export class OtlpScopeDto {
  @ApiProperty() name!: string;
  @ApiPropertyOptional() version?: string;
}

export class OtlpStatusDto {
  @ApiPropertyOptional({ description: '0 unset, 1 ok, 2 error' }) code?: number;
  @ApiPropertyOptional() message?: string;
}

export class OtlpSpanDto {
  @ApiProperty({ description: '16 bytes as 32 hex digits', example: '5b8efff798038103d269b633813fc60c' }) traceId!: string;
  @ApiProperty({ description: '8 bytes as 16 hex digits', example: 'eee19b7ec3c1b174' }) spanId!: string;
  @ApiPropertyOptional({ description: 'The parent span: 8 bytes as 16 hex digits' }) parentSpanId?: string;
  @ApiProperty({ example: 'chat gpt-4o' }) name!: string;
  @ApiPropertyOptional({ description: 'SpanKind: 3 is CLIENT, what the instrumentations send' }) kind?: number;
  @ApiProperty({ description: 'Nanoseconds since the epoch, as a decimal string', example: '1767225600000000000' }) startTimeUnixNano!: string;
  @ApiProperty({ description: 'Nanoseconds since the epoch, as a decimal string', example: '1767225601000000000' }) endTimeUnixNano!: string;
  @ApiProperty({ type: [OtlpKeyValueDto], description: 'The gen_ai.* attributes a call is priced from, and tokenledger.* attribution' })
  attributes!: OtlpKeyValueDto[];

  @ApiPropertyOptional({ type: OtlpStatusDto }) status?: OtlpStatusDto;
}

export class OtlpScopeSpansDto {
  @ApiPropertyOptional({ type: OtlpScopeDto }) scope?: OtlpScopeDto;
  @ApiProperty({ type: [OtlpSpanDto] }) spans!: OtlpSpanDto[];
}

export class OtlpResourceSpansDto {
  @ApiPropertyOptional({ type: OtlpResourceDto }) resource?: OtlpResourceDto;
  @ApiProperty({ type: [OtlpScopeSpansDto] }) scopeSpans!: OtlpScopeSpansDto[];
}

/** ExportTraceServiceRequest: the spans one export sends. */
export class OtlpTraceRequestDto {
  @ApiProperty({ type: [OtlpResourceSpansDto] }) resourceSpans!: OtlpResourceSpansDto[];
}

export class OtlpTracePartialSuccessDto {
  @ApiProperty({ description: 'How many spans of the request were not stored', example: 1 }) rejectedSpans!: number;
  @ApiProperty({ description: 'Why, for the first of them' }) errorMessage!: string;
}

/** ExportTraceServiceResponse: empty when every span was taken. */
export class OtlpTraceResponseDto {
  @ApiPropertyOptional({ type: OtlpTracePartialSuccessDto }) partialSuccess?: OtlpTracePartialSuccessDto;
}

/** ExportMetricsServiceRequest: acknowledged, not counted (cost comes from spans), so its data points are not described. */
export class OtlpMetricsRequestDto {
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'ResourceMetrics, as OTLP defines them' }) resourceMetrics!: object[];
}

/** ExportMetricsServiceResponse: always empty here. */
export class OtlpMetricsResponseDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Never set: metrics are not read' }) partialSuccess?: object;
}

/** google.rpc.Status: the body of every OTLP/HTTP error, in the request's encoding. */
export class OtlpErrorDto {
  @ApiProperty({ description: 'gRPC status code: 3 invalid argument, 8 resource exhausted, 14 unavailable', example: 3 }) code!: number;
  @ApiProperty({ example: 'Content-Type must be application/x-protobuf or application/json' }) message!: string;
}
