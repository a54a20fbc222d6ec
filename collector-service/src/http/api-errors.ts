import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiServiceUnavailableResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorBodyDto } from './error-body.dto';

/** The errors of a route that needs a key: none or an unknown one, a key of the wrong role or tenant, the store down. */
export const ApiAccessErrors = () =>
  applyDecorators(
    ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'No API key, or one that is not known' }),
    ApiForbiddenResponse({ type: ErrorBodyDto, description: "The key's role may not call this route, or it belongs to another tenant" }),
    ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'The store is unavailable; retry after Retry-After seconds' }),
  );

/** A route whose body or query is validated: 400 naming the field or parameter to fix. */
export const ApiInputErrors = () => ApiBadRequestResponse({ type: ErrorBodyDto, description: 'A body field or query parameter is wrong; the answer names it' });

/** A route about one thing named by its id. */
export const ApiNotFound = (what: string) => ApiNotFoundResponse({ type: ErrorBodyDto, description: `No ${what} with this id in the tenant` });
