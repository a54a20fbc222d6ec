import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, ValidateBy } from 'class-validator';
import { OptionalOrNull } from '../http/input-rules';
import { InputPipe } from '../http/input.pipe';
import { ROLES } from './api-keys';
import type { ApiKeyRole } from '../storage/storage.port';

const TENANT = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_NAME = 200;

/** A key to make: the API's POST /v1/keys and the command line's `keys create` check it alike. */
export class CreateKeyDto {
  @ApiProperty({ enum: ROLES, description: 'What the key may do: ingest spans, view reports, scrape metrics, or administer' })
  @IsIn([...ROLES], { message: `must be one of ${ROLES.join(', ')}` })
  role!: ApiKeyRole;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    pattern: TENANT.source,
    description: 'The one tenant the key may act on (an admin of one tenant makes keys of that tenant only); absent or null: every tenant',
  })
  @OptionalOrNull()
  @ValidateBy({
    name: 'tenantName',
    validator: {
      validate: (value) => typeof value === 'string' && TENANT.test(value),
      defaultMessage: () => 'must be 1-64 letters, digits, dots, dashes or underscores',
    },
  })
  tenant?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_NAME, description: 'What the key is for, as the key list shows it' })
  @OptionalOrNull()
  @ValidateBy({
    name: 'keyName',
    validator: {
      validate: (value) => typeof value === 'string' && value.length <= MAX_NAME,
      defaultMessage: () => `must be a string of at most ${MAX_NAME} characters`,
    },
  })
  name?: string | null;
}

/** Checks a key request as the API does (for the command line): the request as a CreateKeyDto, or an InputError naming the field. */
export const checkKeyRequest = async (input: object): Promise<CreateKeyDto> =>
  (await new InputPipe().transform(input, { type: 'body', metatype: CreateKeyDto })) as CreateKeyDto;
