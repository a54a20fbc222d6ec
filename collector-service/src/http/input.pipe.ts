import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { getMetadataStorage, validate, type ValidationError } from 'class-validator';
import { InputError, type InputKind, partOf } from './input-error';

/**
 * Validates every body and query declared as a DTO class (class-validator rules, the same classes
 * document the API) and hands the handler an instance of it. The first problem is answered 400 naming
 * the field or parameter. A body field the DTO does not declare is refused, so a typo is never
 * silently ignored; an undeclared query parameter is dropped. Handlers taking `unknown` or a plain
 * object type are passed through untouched (the OTLP routes read their own bytes).
 *
 * Not Nest's ValidationPipe with class-transformer: that pair deletes keys named __proto__,
 * constructor and prototype from the input (or fails on them), and here they are data (a tag may be
 * called that). The input is copied into the DTO class as it was sent instead.
 */
@Injectable()
export class InputPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.metatype;
    if ((metadata.type !== 'body' && metadata.type !== 'query') || !dto || !isDtoClass(dto)) return value;
    const kind: InputKind = metadata.type === 'body' || Reflect.getMetadata(PARAMETERS_AS_FIELDS, dto) === true ? 'field' : 'parameter';
    const input = value ?? {};
    if (typeof input !== 'object' || Array.isArray(input)) throw new InputError(kind, 'body', 'must be a JSON object');
    const instance = asDto(dto, input);
    const errors = await validate(instance, {
      whitelist: true,
      forbidNonWhitelisted: metadata.type === 'body',
      stopAtFirstError: true,
      forbidUnknownValues: false,
    });
    if (errors.length > 0) throw firstProblem(kind, errors);
    return instance;
  }
}

const PARAMETERS_AS_FIELDS = Symbol('parametersAsFields');

/**
 * A query DTO whose bad parameter is answered as `field`, not `parameter`: routes whose clients read
 * that key since before the query was a DTO.
 */
export const BadParameterAnsweredAsField = (): ClassDecorator => (target) => Reflect.defineMetadata(PARAMETERS_AS_FIELDS, true, target);

/** The input as an instance of the DTO class; a field declared as another DTO class becomes one too. */
function asDto(dto: new () => object, input: object): object {
  const instance = new dto();
  for (const [key, value] of Object.entries(input)) {
    const type: unknown = Reflect.getMetadata('design:type', dto.prototype as object, key);
    const nested = isDtoClass(type) && value !== null && typeof value === 'object' && !Array.isArray(value);
    // defineProperty, not assignment: a key named __proto__ stays a key.
    Object.defineProperty(instance, key, { value: nested ? asDto(type, value as object) : value, enumerable: true, writable: true, configurable: true });
  }
  return instance;
}

/** A class with validation rules (not String, Object, or a type that is only an interface). */
function isDtoClass(type: unknown): type is new () => object {
  return typeof type === 'function' && getMetadataStorage().getTargetValidationMetadatas(type, '', true, false).length > 0;
}

function firstProblem(kind: InputKind, errors: ValidationError[], parent = ''): InputError {
  const error = errors[0];
  const path = parent === '' ? error.property : `${parent}.${error.property}`;
  if (error.children && error.children.length > 0) return firstProblem(kind, error.children, path);
  const [rule, message] = Object.entries(error.constraints ?? {})[0] ?? ['', 'is not valid'];
  if (rule === 'whitelistValidation') return new InputError(kind, path, `is not a known ${kind} (known: ${knownNames(error.target).join(', ')})`);
  const { part, problem } = partOf(message);
  return new InputError(kind, `${path}${part}`, problem);
}

function knownNames(target: object | undefined): string[] {
  if (!target) return [];
  const rules = getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false);
  return [...new Set(rules.map((rule) => rule.propertyName))];
}
