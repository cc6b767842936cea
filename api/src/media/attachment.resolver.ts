import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError } from '../common/api-error.js';
import { EpisodeEntity } from '../catalog/episode.entity.js';
import { SeasonEntity } from '../catalog/season.entity.js';
import { TitleEntity } from '../catalog/title.entity.js';
import type { Attachment } from './media.dto.js';

/** Turns "title X (season S, episode E)" into the ids an asset is attached to. */
@Injectable()
export class AttachmentResolver {
  constructor(private readonly dataSource: DataSource) {}

  async resolve(attachment: Attachment): Promise<{ titleId: string; episodeId: string | null }> {
    const title = await this.dataSource.getRepository(TitleEntity).findOneBy({ id: attachment.titleId });
    if (!title) throw ApiError.notFound('Title');
    if (attachment.season === undefined || attachment.episode === undefined) {
      if (title.kind === 'series')
        throw new ApiError('validation_failed', 'Attach to a season and episode of a series');
      return { titleId: title.id, episodeId: null };
    }
    const season = await this.dataSource
      .getRepository(SeasonEntity)
      .findOneBy({ titleId: title.id, number: attachment.season });
    const episode = season
      ? await this.dataSource
          .getRepository(EpisodeEntity)
          .findOneBy({ seasonId: season.id, number: attachment.episode })
      : null;
    if (!episode) throw ApiError.notFound(`Episode S${attachment.season}E${attachment.episode}`);
    return { titleId: title.id, episodeId: episode.id };
  }
}
