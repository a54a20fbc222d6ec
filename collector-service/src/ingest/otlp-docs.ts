import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { OtlpErrorDto } from './otlp-json.dto';

/** A message in either encoding OTLP/HTTP allows: binary protobuf, or its JSON mapping described by `json`. */
const eitherEncoding = (json: Type, protobuf: string) => ({
  'application/x-protobuf': { schema: { type: 'string', format: 'binary', description: `${protobuf}, protobuf-encoded` } },
  'application/json': { schema: { $ref: getSchemaPath(json) } },
});

const error = (status: number, description: string) =>
  ApiResponse({
    status,
    description: `${description}; the body is a google.rpc.Status in the request's encoding`,
    content: eitherEncoding(OtlpErrorDto, 'google.rpc.Status'),
  });

/**
 * The OpenAPI description of an OTLP/HTTP export route: the request and answer in both encodings
 * (the route reads its own bytes, so no body parameter describes them), and its errors of the body.
 * Its 503 is described with the other routes' (ApiAccessErrors): the key lookup answers it with the
 * common error body before the receiver reads anything.
 */
export const ApiOtlpExport = (what: string, request: { json: Type; protobuf: string }, response: { json: Type; protobuf: string }) =>
  applyDecorators(
    ApiExtraModels(request.json, response.json, OtlpErrorDto),
    ApiOperation({
      summary: `Receives ${what} over OTLP/HTTP`,
      requestBody: { required: true, content: eitherEncoding(request.json, request.protobuf) },
    }),
    ApiResponse({ status: 200, description: 'Taken; a partial success names what was not', content: eitherEncoding(response.json, response.protobuf) }),
    error(400, 'The body is not an export request of this kind'),
    error(413, 'The body is larger than TOKENLEDGER_MAX_BODY_BYTES'),
    error(415, 'The Content-Type is neither application/x-protobuf nor application/json'),
  );
