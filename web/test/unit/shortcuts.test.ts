import { describe, expect, it, vi } from 'vitest';
import { applyShortcut, shortcutFor, type MediaLike } from '~/utils/shortcuts';

const on = (tagName: string, type?: string) => ({ tagName, type });

describe('shortcutFor', () => {
  it('maps space, k, arrows, f and m', () => {
    expect(shortcutFor({ key: ' ', target: on('BODY') })).toBe('toggle-play');
    expect(shortcutFor({ key: 'k' })).toBe('toggle-play');
    expect(shortcutFor({ key: 'ArrowLeft' })).toBe('seek-back');
    expect(shortcutFor({ key: 'ArrowRight' })).toBe('seek-forward');
    expect(shortcutFor({ key: 'ArrowUp' })).toBe('volume-up');
    expect(shortcutFor({ key: 'ArrowDown' })).toBe('volume-down');
    expect(shortcutFor({ key: 'F' })).toBe('fullscreen');
    expect(shortcutFor({ key: 'm' })).toBe('mute');
    expect(shortcutFor({ key: 'x' })).toBeNull();
  });

  it('leaves typing, modifier combinations and focused controls alone', () => {
    expect(shortcutFor({ key: 'f', target: on('INPUT', 'search') })).toBeNull();
    expect(shortcutFor({ key: 'm', target: on('TEXTAREA') })).toBeNull();
    expect(shortcutFor({ key: 'ArrowDown', target: on('SELECT') })).toBeNull();
    expect(shortcutFor({ key: 'm', target: { tagName: 'DIV', isContentEditable: true } })).toBeNull();
    expect(shortcutFor({ key: 'f', ctrlKey: true })).toBeNull();
    expect(shortcutFor({ key: 'ArrowLeft', metaKey: true })).toBeNull();
    // The seek slider moves itself with arrows, buttons activate themselves with space…
    expect(shortcutFor({ key: 'ArrowRight', target: on('INPUT', 'range') })).toBeNull();
    expect(shortcutFor({ key: ' ', target: on('BUTTON') })).toBeNull();
    // …but the other shortcuts still work there.
    expect(shortcutFor({ key: 'm', target: on('INPUT', 'range') })).toBe('mute');
    expect(shortcutFor({ key: 'f', target: on('BUTTON') })).toBe('fullscreen');
  });
});

describe('applyShortcut', () => {
  const media = (overrides: Partial<MediaLike> = {}): MediaLike => ({
    paused: true,
    currentTime: 10,
    duration: 12,
    volume: 0.5,
    muted: false,
    play: vi.fn(async () => undefined),
    pause: vi.fn(),
    ...overrides,
  });

  it('plays when paused and pauses when playing', () => {
    const paused = media();
    applyShortcut('toggle-play', paused, vi.fn());
    expect(paused.play).toHaveBeenCalled();
    const playing = media({ paused: false });
    applyShortcut('toggle-play', playing, vi.fn());
    expect(playing.pause).toHaveBeenCalled();
  });

  it('seeks 5 s within the video', () => {
    const m = media();
    applyShortcut('seek-forward', m, vi.fn());
    expect(m.currentTime).toBe(12);
    applyShortcut('seek-back', m, vi.fn());
    expect(m.currentTime).toBe(7);
    m.currentTime = 2;
    applyShortcut('seek-back', m, vi.fn());
    expect(m.currentTime).toBe(0);
    const live = media({ duration: Number.NaN, currentTime: 1 });
    applyShortcut('seek-forward', live, vi.fn());
    expect(live.currentTime).toBe(6);
  });

  it('changes the volume in steps within 0..1, unmutes on volume up, toggles mute', () => {
    const m = media({ volume: 0.95, muted: true });
    applyShortcut('volume-up', m, vi.fn());
    expect(m.volume).toBe(1);
    expect(m.muted).toBe(false);
    m.volume = 0.05;
    applyShortcut('volume-down', m, vi.fn());
    expect(m.volume).toBe(0);
    applyShortcut('mute', m, vi.fn());
    expect(m.muted).toBe(true);
  });

  it('toggles fullscreen through the callback', () => {
    const toggle = vi.fn();
    applyShortcut('fullscreen', media(), toggle);
    expect(toggle).toHaveBeenCalledOnce();
  });
});
