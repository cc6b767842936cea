import { describe, expect, it, vi } from 'vitest';
import { nextTick, ref } from 'vue';
import { useThumbnails } from '~/composables/useThumbnails';

const VTT = 'WEBVTT\n\n00:00.000 --> 00:01.000\nsprite.jpg#xywh=0,0,160,90\n';
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('useThumbnails', () => {
  it('loads the cues of the current URL and reloads when it changes', async () => {
    const fetcher = vi.fn(async (url: string) => new Response(url.includes('/b/') ? VTT.replace('0,0', '160,0') : VTT));
    const url = ref<string | null>('http://m/a/thumbnails.vtt');
    const cues = useThumbnails(url, fetcher);
    await settle();
    expect(cues.value).toEqual([
      { start: 0, end: 1, url: 'http://m/a/sprite.jpg', x: 0, y: 0, width: 160, height: 90 },
    ]);
    url.value = 'http://m/b/thumbnails.vtt';
    await nextTick();
    await settle();
    expect(cues.value[0]?.x).toBe(160);
    url.value = null;
    await nextTick();
    expect(cues.value).toEqual([]);
  });

  it('has no previews when the track is missing or fails', async () => {
    const missing = useThumbnails(ref('http://m/x.vtt'), async () => new Response('nope', { status: 404 }));
    const broken = useThumbnails(ref('http://m/y.vtt'), async () => Promise.reject(new TypeError('offline')));
    await settle();
    expect(missing.value).toEqual([]);
    expect(broken.value).toEqual([]);
  });
});
