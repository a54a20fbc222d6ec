import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { getMetadataStorage } from 'class-validator';
import { PUBLIC_KEY, ROLES_KEY } from '../../src/auth/roles.decorator';
import { type RunningCollector, startCollector } from '../support/app';

type Operation = { requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type OpenApi = { paths: Record<string, Record<string, Operation>> };

/** One handler of the app, as Nest routes it, with what it reads from the request. */
interface Handler {
  route: string;
  takesBody: boolean;
  bodyIsDto: boolean;
  takesQuery: boolean;
  queryIsDto: boolean;
  /** Reads the request's bytes itself (the OTLP receivers): its body is described in the document by hand. */
  readsRawBody: boolean;
  /** Refused without a key of one of its roles (not @Public). */
  needsKey: boolean;
}

const isDto = (type: unknown): boolean => typeof type === 'function' && getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;
const joined = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '')
    .join('/')}`;

/** Every handler of every controller the app runs (not the ones left out of the document on purpose). */
function handlersOf(c: RunningCollector): Handler[] {
  const handlers: Handler[] = [];
  for (const module of c.app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as Type;
      if ((Reflect.getMetadata(DECORATORS.API_EXCLUDE_CONTROLLER, controller) as boolean[] | undefined)?.[0] === true) continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod].toLowerCase();
        const path = joined(base, Reflect.getMetadata(PATH_METADATA, handler) as string).replace(/:(\w+)/g, '{$1}');
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, name) ?? []) as unknown[];
        const whole = (kind: RouteParamtypes) =>
          Object.entries(args)
            .filter(([key, arg]) => key.startsWith(`${kind}:`) && arg.data === undefined)
            .map(([, arg]) => types[arg.index]);
        const metadata = (key: string): unknown => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
        const bodies = whole(RouteParamtypes.BODY);
        const queries = whole(RouteParamtypes.QUERY);
        handlers.push({
          route: `${method} ${path}`,
          takesBody: bodies.length > 0,
          bodyIsDto: bodies.every(isDto),
          takesQuery: queries.length > 0,
          queryIsDto: queries.every(isDto),
          readsRawBody: method !== 'get' && whole(RouteParamtypes.REQUEST).length > 0,
          needsKey: metadata(PUBLIC_KEY) !== true && metadata(ROLES_KEY) !== undefined,
        });
      }
    }
  }
  return handlers;
}

describe('the OpenAPI document covers every route', () => {
  let c: RunningCollector;
  let doc: OpenApi;
  let handlers: Handler[];
  beforeAll(async () => {
    c = await startCollector();
    doc = (await (await fetch(`${c.url}/docs-json`)).json()) as OpenApi;
    handlers = handlersOf(c);
  });
  afterAll(() => c.close());

  /** What is missing from a route's description, or null when nothing is. */
  function gapsOf(h: Handler): string[] {
    const [method, path] = h.route.split(' ');
    const op = doc.paths[path]?.[method];
    if (!op) return ['not in the document'];
    const gaps: string[] = [];
    if (h.takesBody && !h.bodyIsDto) gaps.push('its body is not a DTO class');
    if ((h.takesBody || h.readsRawBody) && op.requestBody === undefined) gaps.push('no request body');
    if (h.takesQuery && !h.queryIsDto) gaps.push('its query is not a DTO class');
    const answers = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
    const described = answers.some(([status, answer]) => status === '204' || Object.values(answer.content ?? {}).some((media) => media.schema !== undefined));
    if (!described) gaps.push('no schema for its answer');
    return gaps;
  }

  it('finds the handlers of the app, with the bodies and queries they read', () => {
    const budgets = handlers.find((h) => h.route === 'post /v1/budgets');
    expect(budgets).toEqual(expect.objectContaining({ takesBody: true, bodyIsDto: true }));
    expect(handlers.find((h) => h.route === 'post /v1/traces')).toEqual(expect.objectContaining({ takesBody: false, readsRawBody: true }));
    expect(handlers.length).toBeGreaterThan(50);
  });

  it('describes the body, the query and the answer of every route by classes', () => {
    const undocumented = handlers.map((h) => ({ route: h.route, gaps: gapsOf(h) }));
    expect(undocumented.filter((u) => u.gaps.length > 0)).toEqual([]);
  });

  /**
   * The errors a route can answer, each with its body's schema: 400 where it validates a body or a
   * query, 401 and 403 where it needs a key, 404 where its path names one stored thing by `{id}`.
   */
  function errorGapsOf(h: Handler): string[] {
    const [method, path] = h.route.split(' ');
    const responses = doc.paths[path]?.[method]?.responses ?? {};
    const expected = [
      ...(h.takesBody || h.readsRawBody || (h.takesQuery && h.queryIsDto) ? ['400'] : []),
      ...(h.needsKey ? ['401', '403'] : []),
      ...(path.includes('{id}') ? ['404'] : []),
    ];
    const gaps = expected.filter((status) => responses[status] === undefined).map((status) => `no ${status}`);
    for (const [status, answer] of Object.entries(responses)) {
      if (/^[45]/.test(status) && !Object.values(answer.content ?? {}).some((media) => media.schema !== undefined)) gaps.push(`no schema for its ${status}`);
    }
    return gaps;
  }

  it('describes the errors of every route, with the schema of their body', () => {
    expect(handlers.filter((h) => h.needsKey).length).toBeGreaterThan(50);
    const undocumented = handlers.map((h) => ({ route: h.route, gaps: errorGapsOf(h) }));
    expect(undocumented.filter((u) => u.gaps.length > 0)).toEqual([]);
  });
});
