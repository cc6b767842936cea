import type { RenditionName } from '@aleflix/core';

/** A rendition as stored on the asset (from the worker's ready event). */
export interface RenditionView {
  name: RenditionName;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string;
  playlist: string;
}
