import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { InputError } from './input-error';

/** Every bad input is answered alike: 400 naming the field or parameter, and a message saying what to do. */
@Catch(InputError)
export class InputErrorFilter implements ExceptionFilter {
  catch(err: InputError, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(400)
      .json({ statusCode: 400, error: 'Bad Request', [err.kind]: err.input, message: err.message });
  }
}
