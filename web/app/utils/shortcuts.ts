// Player keyboard shortcuts: space (or k) plays/pauses, left/right seek 5 s, up/down change
// the volume, f toggles fullscreen, m mutes. Keys typed into fields, and keys that a focused
// control handles itself, are left alone.

export type ShortcutAction =
  'toggle-play' | 'seek-back' | 'seek-forward' | 'volume-up' | 'volume-down' | 'fullscreen' | 'mute';

export const SEEK_STEP_SECONDS = 5;
export const VOLUME_STEP = 0.1;

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: unknown;
}

interface TargetLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
}

export function shortcutFor(event: KeyLike): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = (event.target ?? {}) as TargetLike;
  const tag = (target.tagName ?? '').toUpperCase();
  if (target.isContentEditable || tag === 'TEXTAREA' || tag === 'SELECT') return null;
  if (tag === 'INPUT' && target.type !== 'range') return null;
  const isArrow = event.key.startsWith('Arrow');
  // A focused slider moves itself with the arrows; buttons and links activate with space.
  if (tag === 'INPUT' && isArrow) return null;
  if ((tag === 'BUTTON' || tag === 'A') && event.key === ' ') return null;
  switch (event.key) {
    case ' ':
    case 'k':
    case 'K':
      return 'toggle-play';
    case 'ArrowLeft':
      return 'seek-back';
    case 'ArrowRight':
      return 'seek-forward';
    case 'ArrowUp':
      return 'volume-up';
    case 'ArrowDown':
      return 'volume-down';
    case 'f':
    case 'F':
      return 'fullscreen';
    case 'm':
    case 'M':
      return 'mute';
    default:
      return null;
  }
}

/** The part of HTMLMediaElement the shortcuts touch. */
export interface MediaLike {
  paused: boolean;
  currentTime: number;
  duration: number;
  volume: number;
  muted: boolean;
  play(): Promise<void> | void;
  pause(): void;
}

export function applyShortcut(action: ShortcutAction, media: MediaLike, toggleFullscreen: () => void): void {
  switch (action) {
    case 'toggle-play':
      if (media.paused) void Promise.resolve(media.play()).catch(() => undefined);
      else media.pause();
      return;
    case 'seek-back':
      media.currentTime = Math.max(0, media.currentTime - SEEK_STEP_SECONDS);
      return;
    case 'seek-forward': {
      const end = Number.isFinite(media.duration) ? media.duration : Number.POSITIVE_INFINITY;
      media.currentTime = Math.min(end, media.currentTime + SEEK_STEP_SECONDS);
      return;
    }
    case 'volume-up':
      media.muted = false;
      media.volume = Math.min(1, Math.round((media.volume + VOLUME_STEP) * 10) / 10);
      return;
    case 'volume-down':
      media.volume = Math.max(0, Math.round((media.volume - VOLUME_STEP) * 10) / 10);
      return;
    case 'mute':
      media.muted = !media.muted;
      return;
    case 'fullscreen':
      toggleFullscreen();
      return;
  }
}
