import { ApiProperty } from '@nestjs/swagger';

class TagKeyDto {
  @ApiProperty({ description: 'The tag key, as by=tag:<key> takes it' })
  key!: string;

  @ApiProperty({ description: 'Calls of the range carrying the key' })
  calls!: number;

  @ApiProperty({ description: 'Their cost in nano-USD, an integer string' })
  costNanos!: string;

  @ApiProperty({ description: 'Their cost in USD, a decimal string of 9 places' })
  costUsd!: string;
}

export class TagKeysDto {
  @ApiProperty({ description: 'Start of the range (ISO 8601)' })
  from!: string;

  @ApiProperty({ description: 'End of the range, exclusive (ISO 8601)' })
  to!: string;

  @ApiProperty({ description: 'The time zone of the range' })
  tz!: string;

  @ApiProperty({ type: [TagKeyDto], description: 'Most calls first, then by key' })
  keys!: TagKeyDto[];

  @ApiProperty({ description: 'Whether the range has more keys than limit' })
  more!: boolean;
}
