// Seeds the throwaway database of the load benchmark through the public API: users, a
// catalog worth browsing, and a few titles with really transcoded media to play.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpegBinaries } from '@aleflix/core';
import { requestJson } from '../lib/http.mjs';

export const TITLE_COUNT = 200;
/** Titles with real media. Every one is a real upload and transcode, so they are few. */
export const PLAYABLE_COUNT = 3;
export const GENRES = ['drama', 'comedy', 'documentary', 'action', 'animation'];
const WORDS = ['river', 'silent', 'city', 'night', 'garden', 'storm', 'mirror', 'harbour', 'winter', 'echo'];
const SEED_CONCURRENCY = 8;
const TRANSCODE_TIMEOUT_MS = 180_000;

const VIEWER = { email: 'bench-viewer@aleflix.local', password: 'bench-viewer-password', role: 'viewer' };
const EDITOR = { email: 'bench-editor@aleflix.local', password: 'bench-editor-password', role: 'editor' };

/**
 * @param {{ baseUrl: string, adminEmail: string, adminPassword: string }} api
 * @param {(line: string) => void} log
 */
export async function seedCatalog(api, log) {
  const admin = await signIn(api.baseUrl, api.adminEmail, api.adminPassword);
  for (const user of [VIEWER, EDITOR]) {
    await requestJson('POST', `${api.baseUrl}/users`, { token: admin, expect: 201, body: user });
  }
  const viewerToken = await signIn(api.baseUrl, VIEWER.email, VIEWER.password);
  const editorToken = await signIn(api.baseUrl, EDITOR.email, EDITOR.password);

  log(`  seeding ${TITLE_COUNT} published titles`);
  const titles = await inBatches(
    Array.from({ length: TITLE_COUNT }, (_, index) => index),
    SEED_CONCURRENCY,
    async (index) =>
      (
        await requestJson('POST', `${api.baseUrl}/titles`, {
          token: editorToken,
          expect: 201,
          body: titleBody(index),
        })
      ).json,
  );

  log(`  uploading and transcoding ${PLAYABLE_COUNT} clips for playback (embedded worker)`);
  const movies = titles.filter((title) => title.kind === 'movie');
  const playable = movies.slice(0, PLAYABLE_COUNT);
  const clipsDir = mkdtempSync(join(tmpdir(), 'aleflix-bench-clips-'));
  try {
    const assetIds = [];
    for (const [index, title] of playable.entries()) {
      const clip = await makeClip(join(clipsDir, `clip-${index}.mp4`), index);
      assetIds.push(await upload(api.baseUrl, editorToken, clip, title.id));
    }
    for (const assetId of assetIds) await waitUntilReady(api.baseUrl, editorToken, assetId);
  } finally {
    rmSync(clipsDir, { recursive: true, force: true });
  }

  return {
    viewerToken,
    editorToken,
    slugs: titles.map((title) => title.slug),
    genres: GENRES,
    years: [...new Set(titles.map((title) => title.year))],
    searchWords: WORDS,
    playableIds: playable.map((title) => title.id),
    // Writes go to titles nobody plays, so the playback lookups stay about playback.
    writableTitleIds: movies.slice(PLAYABLE_COUNT).map((title) => title.id),
    summary: `${TITLE_COUNT} published titles (${movies.length} movies, ${TITLE_COUNT - movies.length} series; ${GENRES.length} genres), ${PLAYABLE_COUNT} of them with real transcoded media`,
  };
}

function titleBody(index) {
  const word = (offset) => WORDS[(index + offset) % WORDS.length];
  return {
    kind: index % 4 === 3 ? 'series' : 'movie',
    name: `The ${word(0)} ${word(3)} ${index + 1}`,
    synopsis: `A ${word(1)} story about a ${word(2)} and a ${word(4)}, long enough to look like a real catalog entry.`,
    year: 1990 + (index % 35),
    genres: [GENRES[index % GENRES.length], GENRES[(index + 2) % GENRES.length]],
    status: 'published',
  };
}

async function signIn(baseUrl, email, password) {
  return (await requestJson('POST', `${baseUrl}/auth/login`, { body: { email, password } })).json.accessToken;
}

/** Runs `work` over `items`, `concurrency` at a time, keeping the order of the results. */
async function inBatches(items, concurrency, work) {
  const results = [];
  for (let start = 0; start < items.length; start += concurrency) {
    results.push(...(await Promise.all(items.slice(start, start + concurrency).map(work))));
  }
  return results;
}

/** A 2-second 320×240 clip made by ffmpeg; `variant` changes the picture so each file is new content. */
async function makeClip(file, variant) {
  const { ffmpeg } = resolveFfmpegBinaries();
  const sources = ['testsrc2', 'smptebars', 'rgbtestsrc'];
  await promisify(execFile)(ffmpeg, [
    ...['-v', 'error', '-f', 'lavfi', '-i', `${sources[variant % sources.length]}=size=320x240:rate=25`],
    ...['-f', 'lavfi', '-i', `sine=frequency=${440 + variant * 110}`, '-t', '2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file],
  ]);
  return readFileSync(file);
}

/** One multipart upload through the API, attached to `titleId`; returns the asset id. */
async function upload(baseUrl, token, data, titleId) {
  const created = await requestJson('POST', `${baseUrl}/uploads`, {
    token,
    expect: 201,
    body: { filename: 'clip.mp4', size: data.length, contentType: 'video/mp4', attachTo: { titleId } },
  });
  const { upload: opened } = created.json;
  for (let part = 1; part <= opened.partCount; part += 1) {
    const chunk = data.subarray((part - 1) * opened.partSize, part * opened.partSize);
    const response = await fetch(`${baseUrl}/uploads/${opened.id}/parts/${part}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
        'x-part-sha256': createHash('sha256').update(chunk).digest('hex'),
      },
      body: chunk,
    });
    if (!response.ok) throw new Error(`upload part ${part}: ${response.status} ${await response.text()}`);
  }
  await requestJson('POST', `${baseUrl}/uploads/${opened.id}/complete`, { token });
  return opened.assetId;
}

async function waitUntilReady(baseUrl, token, assetId) {
  const deadline = Date.now() + TRANSCODE_TIMEOUT_MS;
  for (;;) {
    const asset = (await requestJson('GET', `${baseUrl}/assets/${assetId}`, { token })).json;
    if (asset.status === 'ready') return;
    if (asset.status === 'failed')
      throw new Error(`transcode of ${assetId} failed: ${asset.errorCode} ${asset.errorMessage}`);
    if (Date.now() > deadline)
      throw new Error(`asset ${assetId} still ${asset.status} after ${TRANSCODE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
