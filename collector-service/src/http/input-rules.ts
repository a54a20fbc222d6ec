import { IsDefined, IsIn, ValidateBy, type ValidationArguments, ValidateIf, type ValidationOptions } from 'class-validator';
import { checkZone } from '../time/periods';
import { aboutPart } from './input-error';

/**
 * Rules shared by the DTO classes. Messages say what the value must be, without the name: the
 * InputPipe puts the field or parameter in front.
 */

/** Absent is fine; any value given (null too) must pass the other rules. */
export const Optional = () => ValidateIf((_object, value) => value !== undefined);

/** Absent or null is fine (null: none); any other value must pass the other rules. */
export const OptionalOrNull = () => ValidateIf((_object, value) => value !== undefined && value !== null);

export const Required = (hint = '') => IsDefined({ message: `is required${hint}` });

/** A non-empty string of at most `max` characters. */
export const Text = (max = 200, options?: ValidationOptions) =>
  ValidateBy(
    { name: 'text', validator: { validate: (value) => isText(value, max), defaultMessage: () => `must be a non-empty string of at most ${max} characters` } },
    options,
  );

export function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= max;
}

/** One of the listed strings. */
export const OneOf = (allowed: readonly string[]) =>
  IsIn([...allowed], { message: (args: ValidationArguments) => `must be one of ${allowed.join(', ')}, got ${JSON.stringify(args.value)}` });

export const Flag = () =>
  ValidateBy({ name: 'flag', validator: { validate: (value) => typeof value === 'boolean', defaultMessage: () => 'must be true or false' } });

/** true or false; the message shows what was sent instead. */
export const TrueOrFalse = () =>
  ValidateBy({
    name: 'trueOrFalse',
    validator: { validate: (value) => typeof value === 'boolean', defaultMessage: (args) => `must be true or false, got ${JSON.stringify(args?.value)}` },
  });

/** An IANA time zone name. */
export const TimeZone = () =>
  ValidateBy({
    name: 'timeZone',
    validator: {
      validate: (value) => typeof value === 'string' && zoneProblem(value) === null,
      defaultMessage: (args) => (typeof args?.value === 'string' ? `must be an IANA time zone: ${zoneProblem(args.value)}` : 'must be an IANA time zone name'),
    },
  });

function zoneProblem(zone: string): string | null {
  try {
    checkZone(zone);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A list of at most `max` channel ids (empty: the default channels), a bad one named by its index. */
export const ChannelIds = (max = 20) =>
  ValidateBy({
    name: 'channelIds',
    validator: {
      validate: (value) => channelIdsProblem(value, max) === null,
      defaultMessage: (args) => channelIdsProblem(args?.value, max) ?? '',
    },
  });

function channelIdsProblem(value: unknown, max: number): string | null {
  if (!Array.isArray(value) || value.length > max) return `must be an array of at most ${max} channel ids (empty: the default channels)`;
  const bad = value.findIndex((c) => !isText(c, 200));
  return bad < 0 ? null : aboutPart(`[${bad}]`, 'must be a channel id (a non-empty string)');
}

/** A query parameter given once (not repeated) and not empty, of at most `max` characters. */
export const SingleValue = (max: number) =>
  ValidateBy({
    name: 'singleValue',
    validator: { validate: (value) => isText(value, max), defaultMessage: () => `must be a single non-empty value of at most ${max} characters` },
  });

/** A whole number from `min` to `max`, given as a query parameter (a string of digits). */
export const WholeNumber = (min: number, max: number) =>
  ValidateBy({
    name: 'wholeNumber',
    validator: {
      validate: (value) => typeof value === 'string' && /^\d{1,10}$/.test(value) && Number(value) >= min && Number(value) <= max,
      defaultMessage: (args) => `must be a whole number from ${min} to ${max}, got ${JSON.stringify(args?.value)}`,
    },
  });
