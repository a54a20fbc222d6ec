import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import { ChannelIds, Flag, OneOf, Optional, Required, Text, TimeZone } from '../http/input-rules';
import { DIGEST_CADENCES, type DigestCadence, type Weekday, WEEKDAYS } from './digest-subscription';

const Hour = () =>
  ValidateBy({
    name: 'hour',
    validator: {
      validate: (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 23,
      defaultMessage: (args) => `must be a whole hour from 0 to 23 (the local hour the digest is sent at), got ${JSON.stringify(args?.value)}`,
    },
  });

const presence = (required: boolean, hint?: string) => (required ? Required(hint) : Optional());

/** The fields of a digest subscription; a new one needs name and cadence (and weekday when weekly), a change names only what changes. */
function digestFields(required: boolean) {
  class DigestFields {
    @ApiProperty({ required, maxLength: 200, example: 'morning spend' })
    @presence(required)
    @Text()
    name?: string;

    @ApiProperty({ required, enum: DIGEST_CADENCES, description: 'daily: the local day before; weekly: the seven local days before the weekday it is sent on' })
    @presence(required, ` (${DIGEST_CADENCES.join(', ')})`)
    @OneOf(DIGEST_CADENCES)
    cadence?: DigestCadence;

    @ApiPropertyOptional({ enum: WEEKDAYS, description: 'weekly digests: the day it is sent on' })
    @Optional()
    @OneOf(WEEKDAYS)
    weekday?: Weekday;

    @ApiPropertyOptional({ minimum: 0, maximum: 23, default: 8, description: 'The local hour it is sent at' })
    @Optional()
    @Hour()
    hour?: number;

    @ApiPropertyOptional({ default: 'UTC', example: 'Europe/Madrid', description: 'IANA time zone whose days and weeks it covers' })
    @Optional()
    @TimeZone()
    @Text()
    timezone?: string;

    @ApiPropertyOptional({ type: [String], description: 'Ids of webhook, Slack or email channels; empty: the default channels' })
    @Optional()
    @ChannelIds()
    channels?: string[];

    @ApiPropertyOptional({ default: true })
    @Optional()
    @Flag()
    enabled?: boolean;
  }
  return DigestFields;
}

export class CreateDigestDto extends digestFields(true) {}
export class UpdateDigestDto extends digestFields(false) {}
