import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';

const FILTERS = ['user', 'agent', 'model', 'provider', 'type', 'feature', 'service'];

/** The OpenAPI description shared by every report: range, time zone, filters, tenant. */
export function ReportEndpoint(summary: string, extra: { name: string; description: string; enum?: string[] }[] = [], ranged = true) {
  return applyDecorators(
    ApiTags('reports'),
    ApiBearerAuth(),
    ApiOperation({ summary }),
    ApiOkResponse({ description: 'Amounts as ...Nanos (integer string) and ...Usd (decimal string, 9 places).' }),
    ...(ranged
      ? [
          ApiQuery({
            name: 'period',
            required: false,
            enum: ['today', 'week', 'month', 'all'],
            description: 'Calendar period in tz up to now (default month). Or use from/to.',
          }),
          ApiQuery({ name: 'from', required: false, description: 'ISO 8601 date (local midnight in tz) or date-time with offset' }),
          ApiQuery({ name: 'to', required: false, description: 'ISO 8601 date or date-time with offset (exclusive)' }),
        ]
      : []),
    ApiQuery({ name: 'tz', required: false, description: 'IANA time zone (default UTC)' }),
    ...FILTERS.map((name) => ApiQuery({ name, required: false, description: `Only calls with this ${name}` })),
    ...extra.map((e) => ApiQuery({ name: e.name, required: false, description: e.description, enum: e.enum })),
  );
}
