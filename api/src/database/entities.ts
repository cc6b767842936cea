import { AuditEntryEntity } from '../audit/audit-entry.entity.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { RefreshTokenEntity } from '../auth/refresh-token.entity.js';
import { SessionEntity } from '../auth/session.entity.js';
import { EpisodeEntity } from '../catalog/episode.entity.js';
import { SeasonEntity } from '../catalog/season.entity.js';
import { TitleEntity } from '../catalog/title.entity.js';
import { UserEntity } from '../users/user.entity.js';

import { AssetEntity } from '../media/asset.entity.js';
import { JobEntity } from '../media/job.entity.js';
import { UploadEntity } from '../media/upload.entity.js';

import { WatchProgressEntity } from '../progress/watch-progress.entity.js';

export const ENTITIES = [
  AuditEntryEntity,
  WatchProgressEntity,
  AssetEntity,
  JobEntity,
  UploadEntity,
  UserEntity,
  SessionEntity,
  RefreshTokenEntity,
  ApiKeyEntity,
  TitleEntity,
  SeasonEntity,
  EpisodeEntity,
];
