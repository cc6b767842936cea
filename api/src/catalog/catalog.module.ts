import { Module } from '@nestjs/common';
import { SeasonsController } from './seasons.controller.js';
import { SeasonsRepository } from './seasons.repository.js';
import { SeasonsService } from './seasons.service.js';
import { TitlesController } from './titles.controller.js';
import { TitlesRepository } from './titles.repository.js';
import { TitlesService } from './titles.service.js';

@Module({
  controllers: [TitlesController, SeasonsController],
  providers: [TitlesRepository, TitlesService, SeasonsRepository, SeasonsService],
})
export class CatalogModule {}
