import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from './api-keys';

/** An API key as listed: never the key, which is shown once when it is made. */
export class KeyDto {
  @ApiProperty({ description: 'Public id, used to revoke it' }) id!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The one tenant the key may act on; null for every tenant' }) tenant!: string | null;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty({ type: Number, nullable: true }) revokedAtMs!: number | null;
}

export class KeyListDto {
  @ApiProperty({ type: [KeyDto] }) keys!: KeyDto[];
}

/** A key just made: the key itself is in this answer only (its hash is what is stored). */
export class CreatedKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The key; it is not shown again' }) key!: string;
  @ApiProperty({ enum: ROLES }) role!: string;
  @ApiProperty({ type: String, nullable: true }) tenant!: string | null;
  @ApiProperty({ type: String, nullable: true }) name!: string | null;
}
