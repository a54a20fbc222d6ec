import { applyDecorators, type Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiInputErrors } from '../http/api-errors';

/** The OpenAPI description shared by every report: its summary, its answer, and the 400 naming a bad parameter. */
export const ReportEndpoint = (summary: string, answer: Type) =>
  applyDecorators(ApiTags('reports'), ApiOperation({ summary }), ApiOkResponse({ type: answer }), ApiInputErrors());

/** A report answered as a file, streamed as it is read: CSV, or JSON lines. */
export const ExportEndpoint = (summary: string) =>
  applyDecorators(
    ApiTags('reports'),
    ApiOperation({ summary }),
    ApiOkResponse({
      description: 'Streamed as read, any size',
      content: {
        'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV with a header row' } },
        'application/x-ndjson': { schema: { type: 'string', description: 'One JSON record per line' } },
      },
    }),
    ApiInputErrors(),
  );
