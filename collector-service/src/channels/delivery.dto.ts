import { ApiProperty } from '@nestjs/swagger';
import { CHANNEL_TYPES, type Channel } from './channel';
import type { ChannelOutcome } from './delivery.service';

/** How one channel took one message (an alert's notification, a digest), its retries included, as the API shows it. */
export class DeliveryDto {
  @ApiProperty() channelId!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType!: Channel['type'];
  @ApiProperty() channelName!: string;
  @ApiProperty() ok!: boolean;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export const deliveryView = (d: ChannelOutcome): DeliveryDto => ({
  channelId: d.channelId,
  channelType: d.channelType,
  channelName: d.channelName,
  ok: d.ok,
  attempts: d.attempts,
  error: d.error,
  at: new Date(d.atMs).toISOString(),
});
