import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { RefreshTokenEntity } from '../auth/refresh-token.entity.js';
import { SessionEntity } from '../auth/session.entity.js';
import { EpisodeEntity } from '../catalog/episode.entity.js';
import { SeasonEntity } from '../catalog/season.entity.js';
import { TitleEntity } from '../catalog/title.entity.js';
import { UserEntity } from '../users/user.entity.js';

export const ENTITIES = [
  UserEntity,
  SessionEntity,
  RefreshTokenEntity,
  ApiKeyEntity,
  TitleEntity,
  SeasonEntity,
  EpisodeEntity,
];
