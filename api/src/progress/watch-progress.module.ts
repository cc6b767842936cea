import { Module } from '@nestjs/common';
import { WatchProgressController } from './watch-progress.controller.js';
import { WatchProgressService } from './watch-progress.service.js';

@Module({ controllers: [WatchProgressController], providers: [WatchProgressService] })
export class WatchProgressModule {}
