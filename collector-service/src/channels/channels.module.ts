import { Module } from '@nestjs/common';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';
import { DeliveryService } from './delivery.service';

@Module({ controllers: [ChannelsController], providers: [ChannelsService, DeliveryService], exports: [ChannelsService, DeliveryService] })
export class ChannelsModule {}
