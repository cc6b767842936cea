// The mixed workload of the load benchmark, as a pure request generator: no I/O, seeded, so
// the unit tests can check the mix and every run sends the same sequence.

/**
 * Each block of 100 requests holds exactly these counts, shuffled: browse 90 % (lists with
 * varied filters, sorts and searches, and title pages), playback URLs 9 %, writes 1 %.
 * The block keeps the proportions exact at any run length instead of only on average.
 */
export const MIX = Object.freeze({
  list: 30,
  listByGenre: 15,
  listSorted: 10,
  listByKindAndYear: 5,
  search: 5,
  titlePage: 25,
  playback: 9,
  write: 1,
});

export const BLOCK_SIZE = Object.values(MIX).reduce((sum, count) => sum + count, 0);

/** Which of the three classes a request kind belongs to. */
export const CLASS_OF = Object.freeze({
  list: 'browse',
  listByGenre: 'browse',
  listSorted: 'browse',
  listByKindAndYear: 'browse',
  search: 'browse',
  titlePage: 'browse',
  playback: 'playback',
  write: 'write',
});

const SORTS = ['name', '-name', 'year', '-year', 'createdAt'];

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @typedef {{ method: string, path: string, headers: Record<string, string>, body?: string, kind: keyof typeof MIX }} LoadRequest
 * @param {{
 *   viewerToken: string,
 *   editorToken: string,
 *   slugs: string[],
 *   genres: string[],
 *   years: number[],
 *   searchWords: string[],
 *   playableIds: string[],
 *   writableTitleIds: string[],
 *   seed?: number,
 * }} catalog what the seed created
 * @returns {{ next(): LoadRequest, issued: Record<string, number> }}
 */
export function createWorkload(catalog) {
  for (const key of ['slugs', 'genres', 'years', 'searchWords', 'playableIds', 'writableTitleIds']) {
    if (!catalog[key]?.length) throw new Error(`workload: ${key} is empty`);
  }
  const random = seededRandom(catalog.seed ?? 1);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const viewer = { authorization: `Bearer ${catalog.viewerToken}`, accept: 'application/json' };
  const editor = { authorization: `Bearer ${catalog.editorToken}`, accept: 'application/json' };
  const json = (headers) => ({ ...headers, 'content-type': 'application/json' });
  const issued = Object.fromEntries(Object.keys(MIX).map((kind) => [kind, 0]));
  let writes = 0;

  const builders = {
    list: () => ({ method: 'GET', path: '/titles?limit=20', headers: viewer }),
    listByGenre: () => ({ method: 'GET', path: `/titles?limit=20&genre=${pick(catalog.genres)}`, headers: viewer }),
    listSorted: () => ({ method: 'GET', path: `/titles?limit=20&sort=${pick(SORTS)}`, headers: viewer }),
    listByKindAndYear: () => ({
      method: 'GET',
      path: `/titles?limit=20&kind=movie&year=${pick(catalog.years)}`,
      headers: viewer,
    }),
    search: () => ({
      method: 'GET',
      path: `/titles?limit=10&q=${encodeURIComponent(pick(catalog.searchWords))}`,
      headers: viewer,
    }),
    titlePage: () => ({ method: 'GET', path: `/titles/${pick(catalog.slugs)}`, headers: viewer }),
    playback: () => ({ method: 'GET', path: `/media/stream/${pick(catalog.playableIds)}`, headers: viewer }),
    // Alternately an editor's change to a title and a viewer's "continue watching" position.
    // Titles are taken in turn, so two writes never race for one title's version (If-Match).
    write: () => {
      writes += 1;
      if (writes % 2 === 1) {
        const id = catalog.writableTitleIds[Math.floor(writes / 2) % catalog.writableTitleIds.length];
        return {
          method: 'PATCH',
          path: `/titles/${id}`,
          headers: { ...json(editor), 'if-match': '*' },
          body: JSON.stringify({ synopsis: `Synopsis revised by the load benchmark (${writes}).` }),
        };
      }
      return {
        method: 'PUT',
        path: `/me/progress/${pick(catalog.playableIds)}`,
        headers: json(viewer),
        body: JSON.stringify({ positionSeconds: writes % 600, durationSeconds: 600 }),
      };
    },
  };

  const deck = Object.entries(MIX).flatMap(([kind, count]) => Array.from({ length: count }, () => kind));
  let position = deck.length;
  const shuffle = () => {
    for (let i = deck.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [deck[i], deck[j]] = [deck[j], deck[i]];
    }
    position = 0;
  };

  return {
    issued,
    next() {
      if (position === deck.length) shuffle();
      const kind = deck[position];
      position += 1;
      issued[kind] += 1;
      return { ...builders[kind](), kind };
    },
  };
}

/** Issued requests per class (browse, playback, write), from the per-kind counts. */
export function issuedByClass(issued) {
  const classes = { browse: 0, playback: 0, write: 0 };
  for (const [kind, count] of Object.entries(issued)) classes[CLASS_OF[kind]] += count;
  return classes;
}
