import { InputError } from '../http/input-error';

/** A bad request body field: answered 400 with the field's name, so the caller knows what to fix. */
export function badField(field: string, message: string): InputError {
  return new InputError('field', field, message);
}
