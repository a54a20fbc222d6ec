/**
 * General OpenTelemetry attributes (not GenAI-specific) that tokenledger reads or writes.
 * Source: the OpenTelemetry attribute registry (`user.*`, `error.*`, `server.*`, `service.*`,
 * `deployment.*`).
 */

/** The end user on whose behalf the call was made. Used to attribute cost per user. */
export const ATTR_USER_ID = 'user.id';
/** The class of error the operation ended with (an HTTP status, an exception type, or `_OTHER`). */
export const ATTR_ERROR_TYPE = 'error.type';
/** Host name of the API server called. */
export const ATTR_SERVER_ADDRESS = 'server.address';
/** Port of the API server called (int). */
export const ATTR_SERVER_PORT = 'server.port';
/** Resource attribute: the logical name of the service. */
export const ATTR_SERVICE_NAME = 'service.name';
/** Resource attribute: the deployment environment (`production`, `staging`, ...). */
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';
/** Deprecated resource attribute (read only): replaced by `deployment.environment.name`. */
export const ATTR_DEPLOYMENT_ENVIRONMENT = 'deployment.environment';
/** HTTP response status code (int), read from non-GenAI-aware instrumentations. */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
