import { Initial1764360000000 } from './1764360000000-initial.js';
import { Media1764370000000 } from './1764370000000-media.js';
import { WatchProgress1764380000000 } from './1764380000000-watch-progress.js';
import { AuditLog1764390000000 } from './1764390000000-audit-log.js';

/** Every migration, in order. Listed explicitly so bundlers and Lambda need no globbing. */
export const MIGRATIONS = [Initial1764360000000, Media1764370000000, WatchProgress1764380000000, AuditLog1764390000000];
