import { Initial1764360000000 } from './1764360000000-initial.js';

/** Every migration, in order. Listed explicitly so bundlers and Lambda need no globbing. */
export const MIGRATIONS = [Initial1764360000000];
