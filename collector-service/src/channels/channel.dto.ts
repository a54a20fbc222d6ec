import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, ValidateBy } from 'class-validator';
import { Optional, Required, Text, TrueOrFalse } from '../http/input-rules';
import { CHANNEL_TYPES, recipientsOf } from './channel';

/** E-mail recipients: one address, a comma-separated list, or an array of 1-50 addresses. */
const Recipients = () =>
  ValidateBy({
    name: 'recipients',
    validator: { validate: (value) => recipientsOf(value) !== null, defaultMessage: () => 'must be one e-mail address or a list of 1-50 addresses' },
  });

const URL_DOC = 'webhook: the receiver; slack: the incoming-webhook URL; email: smtp(s)://user:pass@host:port; alertmanager: its base URL';
const TO_DOC = 'email only: one address, a comma-separated list, or a list of 1-50 addresses';
const SECRET_DOC = 'webhook: the HMAC key receivers verify Tokenledger-Signature with (at least 16 characters, required); alertmanager: a bearer token';

/** A new channel. Which of url, to and secret a type needs is checked on the whole channel. */
export class CreateChannelDto {
  @ApiProperty({ enum: CHANNEL_TYPES })
  @IsIn([...CHANNEL_TYPES], { message: `must be one of ${CHANNEL_TYPES.join(', ')}` })
  type!: (typeof CHANNEL_TYPES)[number];

  @ApiProperty({ maxLength: 200, example: 'finance slack' }) @Required() @Text(200) name!: string;
  @ApiPropertyOptional({ maxLength: 2000, description: URL_DOC }) @IsOptional() @Text(2000) url?: string | null;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: TO_DOC })
  @IsOptional()
  @Recipients()
  to?: string | string[] | null;

  @ApiPropertyOptional({ maxLength: 500, description: SECRET_DOC }) @IsOptional() @Text(500) secret?: string | null;
  @ApiPropertyOptional({ default: false, description: 'Alerts whose rule names no channel go to the default channels' })
  @Optional()
  @TrueOrFalse()
  default?: boolean;
}

/** A change to a channel: the fields that change (null removes to or secret); the type stays. */
export class UpdateChannelDto {
  @ApiPropertyOptional({ enum: CHANNEL_TYPES, description: "Only the channel's own type: a channel cannot change type" }) @Optional() type?: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @Text(200) name?: string | null;
  @ApiPropertyOptional({ maxLength: 2000, description: URL_DOC }) @IsOptional() @Text(2000) url?: string | null;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], nullable: true, description: TO_DOC })
  @IsOptional()
  @Recipients()
  to?: string | string[] | null;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, description: SECRET_DOC }) @IsOptional() @Text(500) secret?: string | null;
  @ApiPropertyOptional() @Optional() @TrueOrFalse() default?: boolean;
}

/** A channel as the API answers it: never its secret, and its URL without credentials. */
export class ChannelDto {
  @ApiProperty({ example: 'ch_3f2a9c0b1d4e5f60' }) id!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) type!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Without its password; for slack only the origin (the URL is its credential)' }) url!: string;
  @ApiProperty({ type: [String], nullable: true }) to!: string[] | null;
  @ApiProperty({ description: 'Whether a secret is set (it is never shown)' }) hasSecret!: boolean;
  @ApiProperty() default!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class ChannelListDto {
  @ApiProperty({ type: [ChannelDto] }) channels!: ChannelDto[];
}
