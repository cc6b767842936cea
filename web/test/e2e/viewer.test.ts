// The viewer in real Chromium (Debian's, driven by playwright-core) against the built API and
// the built Nuxt server: sign in, browse, play with hls.js, resume, languages, drafts.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ensureBuilt,
  makeClip,
  seed,
  startApi,
  startWeb,
  type Catalog,
  type Running,
} from './stack';

const ADMIN = { email: 'admin@web-e2e.test', password: 'admin-password-123' };
// Generous but bounded: the whole suite runs in parallel on two cores in CI.
const WAIT = 30_000;

let scratch: string;
let api: Running | undefined;
let web: Running | undefined;
let browser: Browser | undefined;
let catalog: Catalog;
let base: string;
/** The viewer's session for the happy path; its console must stay free of errors. */
let viewerContext: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's package (apt-get install chromium)`);
  }
  scratch = mkdtempSync(join(tmpdir(), 'aleflix-web-e2e-'));
  const [clip] = await Promise.all([makeClip(scratch), ensureBuilt()]);
  api = await startApi(ADMIN);
  [catalog, web, browser] = await Promise.all([
    seed(api.url, ADMIN, clip),
    startWeb(api.url),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 }),
  ]);
  base = web.url;
  viewerContext = await newContext();
  page = await viewerContext.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await Promise.all([web?.stop(), api?.stop()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function newContext(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  return browser!.newContext({ viewport: { width: 1280, height: 800 }, ...options });
}

/**
 * Waits until Vue has hydrated the page (it marks the root element once mounted). Typing or
 * clicking before that reaches server-rendered HTML with no handlers: under load the inputs
 * keep what was typed while the component state stays empty.
 */
async function hydrated(target: Page) {
  await target.waitForFunction(() => Boolean(document.querySelector('#__nuxt')?.['__vue_app__' as never]), undefined, {
    timeout: WAIT,
  });
}

async function signIn(target: Page, who: { email: string; password: string }) {
  await hydrated(target);
  await target.fill('#login-email', who.email);
  await target.fill('#login-password', who.password);
  await target.click('button[type=submit]');
}

const pathOf = (target: Page) => new URL(target.url()).pathname;

describe('web viewer', { timeout: 90_000 }, () => {
  it('shows an error for a wrong password and stays on the sign-in page', async () => {
    const context = await newContext();
    const login = await context.newPage();
    await login.goto(`${base}/login`);
    await signIn(login, { email: catalog.viewer.email, password: 'not-the-password' });
    const error = login.getByTestId('login-error');
    await error.waitFor({ timeout: WAIT });
    expect(await error.textContent()).toContain('E-mail ou senha incorretos.');
    expect(await error.getAttribute('role')).toBe('alert');
    expect(pathOf(login)).toBe('/login');
    await context.close();
  });

  it('renders the sign-in button disabled until the page is interactive, so credentials never go out in a URL', async () => {
    const html = await (await fetch(`${base}/login`)).text();
    expect(html).toMatch(/<button[^>]*type="submit"[^>]*disabled[^>]*data-testid="login-submit"/);
    const context = await newContext();
    const login = await context.newPage();
    await login.goto(`${base}/login`);
    // Comes alive once hydrated (waitForSelector waits for it; a disabled button would time out).
    await login.waitForSelector('[data-testid="login-submit"]:enabled', { timeout: WAIT });
    await context.close();
  });

  it('sends a signed-out visitor to sign in, then back to the page asked for', async () => {
    await page.goto(`${base}/titles/${catalog.movie.slug}`);
    expect(pathOf(page)).toBe('/login');
    expect(new URL(page.url()).searchParams.get('redirect')).toBe(`/titles/${catalog.movie.slug}`);
    await signIn(page, catalog.viewer);
    await page.waitForURL((url) => url.pathname === `/titles/${catalog.movie.slug}`, {
      timeout: WAIT,
      waitUntil: 'commit',
    });
    expect(await page.getByTestId('title-name').textContent()).toBe(catalog.movie.name);
  });

  it('browses home → title → play: hls.js with two renditions plays past 2 s', async () => {
    await page.goto(`${base}/`);
    const recent = page.getByTestId('row-recent');
    await recent.waitFor({ timeout: WAIT });
    expect(await recent.getByText(catalog.draft.name).count()).toBe(0); // viewers never see drafts
    await recent.getByRole('link', { name: new RegExp(catalog.movie.name) }).click();
    await page.waitForURL((url) => url.pathname === `/titles/${catalog.movie.slug}`, {
      timeout: WAIT,
      waitUntil: 'commit',
    });
    await page.getByTestId('play-button').click();
    await page.waitForURL((url) => url.pathname === `/watch/${catalog.movie.id}`, {
      timeout: WAIT,
      waitUntil: 'commit',
    });

    const player = page.getByTestId('player');
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 2, null, {
      timeout: 45_000,
    });
    expect(await player.getAttribute('data-engine')).toBe('hls.js');
    expect(Number(await player.getAttribute('data-levels'))).toBeGreaterThanOrEqual(2);
    // The manual quality menu: automatic plus one entry per rendition.
    const quality = page.getByTestId('quality-select');
    expect(await quality.locator('option').allTextContents()).toEqual([
      expect.stringMatching(/^Automática/),
      '360p',
      '240p',
    ]);
    await quality.selectOption({ label: '240p' });
    expect(await quality.inputValue()).not.toBe('-1');
    await quality.selectOption('-1');
  });

  it('answers the keyboard: m mutes, space pauses', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('m');
    expect(await page.evaluate(() => document.querySelector('video')!.muted)).toBe(true);
    await page.keyboard.press('m');
    expect(await page.evaluate(() => document.querySelector('video')!.muted)).toBe(false);
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.querySelector('video')!.paused, null, { timeout: WAIT });
  });

  it('shows seek previews from the thumbnail sprite', async () => {
    const bar = page.getByTestId('seek-bar');
    const box = (await bar.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    const thumbnail = page.getByTestId('seek-thumbnail');
    await thumbnail.waitFor({ timeout: WAIT });
    expect(await thumbnail.evaluate((element) => getComputedStyle(element).backgroundImage)).toContain('sprite.jpg');
  });

  it('resumes near the saved position after leaving and coming back', async () => {
    const saved = await page.evaluate(() => document.querySelector('video')!.currentTime);
    expect(saved).toBeGreaterThan(2);
    // Leave through the back link (the position was saved on pause and is saved on leaving).
    await page.getByTestId('back-link').click();
    await page.waitForURL((url) => url.pathname === `/titles/${catalog.movie.slug}`, {
      timeout: WAIT,
      waitUntil: 'commit',
    });
    await page
      .getByTestId('play-button')
      .getByText(/Continuar de/)
      .waitFor({ timeout: WAIT });

    // Home shows it under "continue watching"; come back from there.
    await page.goto(`${base}/`);
    const row = page.getByTestId('row-continue');
    await row.waitFor({ timeout: WAIT });
    await row.getByRole('link', { name: new RegExp(catalog.movie.name) }).click();
    await page.waitForURL((url) => url.pathname === `/watch/${catalog.movie.id}`, {
      timeout: WAIT,
      waitUntil: 'commit',
    });
    const player = page.getByTestId('player');
    await page.waitForSelector('[data-testid=player][data-resumed-from]', { timeout: WAIT });
    const resumedFrom = Number(await player.getAttribute('data-resumed-from'));
    expect(Math.abs(resumedFrom - saved)).toBeLessThan(1);
    await page.waitForFunction(
      (from) => {
        const video = document.querySelector('video')!;
        return video.readyState >= 1 && video.currentTime >= from - 0.5;
      },
      resumedFrom,
      { timeout: WAIT },
    );
    await page.keyboard.press('Space');
  });

  it('switches language, and the choice survives a reload', async () => {
    await page.goto(`${base}/`);
    await page.getByTestId('row-recent').waitFor({ timeout: WAIT });
    expect(await page.locator('html').getAttribute('lang')).toBe('pt-BR');
    expect(await page.getByRole('heading', { name: 'Adicionados recentemente' }).count()).toBe(1);
    await page.getByTestId('language-switch').selectOption('en');
    await page.getByRole('heading', { name: 'Recently added' }).waitFor({ timeout: WAIT });
    await page.reload();
    await page.getByRole('heading', { name: 'Recently added' }).waitFor({ timeout: WAIT });
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('link', { name: 'Search' }).count()).toBeGreaterThan(0);
    await page.getByTestId('language-switch').selectOption('pt-BR');
    await page.getByRole('heading', { name: 'Adicionados recentemente' }).waitFor({ timeout: WAIT });
  });

  it('searches with filters kept in the URL', async () => {
    await page.goto(`${base}/search`);
    await hydrated(page);
    await page.fill('#search-q', 'cidade');
    await page.press('#search-q', 'Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === 'cidade', { timeout: WAIT, waitUntil: 'commit' });
    const results = page.getByRole('region', { name: 'Resultados' });
    await results.getByRole('link', { name: new RegExp(catalog.movie.name) }).waitFor({ timeout: WAIT });
    await page.selectOption('#search-kind', 'series');
    await page.waitForURL((url) => url.searchParams.get('kind') === 'series', { timeout: WAIT, waitUntil: 'commit' });
    await page.getByText('Nenhum título encontrado').waitFor({ timeout: WAIT });
    await page.selectOption('#search-kind', 'movie');
    await page.fill('#search-year', '2024');
    await page.press('#search-year', 'Enter');
    await page.waitForURL((url) => url.searchParams.get('year') === '2024', { timeout: WAIT, waitUntil: 'commit' });
    await results.getByRole('link', { name: new RegExp(catalog.movie.name) }).waitFor({ timeout: WAIT });
  });

  it('labels every control and fits a 375 px wide screen', async () => {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('a[href], button, input, select')]
        .filter((element) => {
          const labelled =
            element.getAttribute('aria-label') ||
            element.getAttribute('aria-labelledby') ||
            ((element as HTMLInputElement).labels?.length ?? 0) > 0 ||
            (element.textContent ?? '').trim();
          return !labelled;
        })
        .map((element) => element.outerHTML.slice(0, 120)),
    );
    expect(unlabelled).toEqual([]);

    await page.setViewportSize({ width: 375, height: 740 });
    for (const path of ['/', `/titles/${catalog.movie.slug}`, '/search?q=cidade']) {
      await page.goto(base + path);
      await page.waitForLoadState('networkidle', { timeout: WAIT });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(375);
    }
    expect(await page.getByTestId('title-card').count()).toBeGreaterThan(0);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('had no console errors on the way', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('gives a viewer the 404 page for a draft, while an admin sees it with a badge', async () => {
    const response = await page.goto(`${base}/titles/${catalog.draft.slug}`);
    expect(response?.status()).toBe(404);
    expect(await page.getByTestId('error-heading').textContent()).toBe('Página não encontrada');
    const watch = await page.goto(`${base}/watch/${catalog.draft.id}`);
    expect(watch?.status()).toBe(404);

    const context = await newContext();
    const admin = await context.newPage();
    await admin.goto(`${base}/login`);
    await signIn(admin, ADMIN);
    await admin.waitForURL((url) => url.pathname === '/', { timeout: WAIT, waitUntil: 'commit' });
    const card = admin.getByTestId('row-recent').getByRole('link', { name: new RegExp(catalog.draft.name) });
    await card.waitFor({ timeout: WAIT });
    expect(await card.getByTestId('status-badge').textContent()).toBe('Rascunho');
    await admin.goto(`${base}/titles/${catalog.draft.slug}`);
    expect(await admin.getByTestId('title-name').textContent()).toBe(catalog.draft.name);
    await context.close();
  });

  it('server-renders the title page: name and synopsis are in the HTML', async () => {
    // A session of its own (refresh tokens are single-use: never share the browser's).
    const login = await fetch(`${api!.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(catalog.viewer),
    });
    const { refreshToken } = (await login.json()) as { refreshToken: string };
    const response = await fetch(`${base}/titles/${catalog.movie.slug}`, {
      headers: { cookie: `aleflix_session=${encodeURIComponent(refreshToken)}` },
      redirect: 'manual',
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(new RegExp(`<h1[^>]*data-testid="title-name"[^>]*>${catalog.movie.name}</h1>`));
    expect(html).toContain(catalog.movie.synopsis);
    expect(html).toContain(`<meta name="description" content="${catalog.movie.synopsis}">`);
    // The rotated refresh token comes back as the new cookie.
    expect(response.headers.get('set-cookie')).toMatch(/aleflix_session=[^;]+;.*SameSite=Lax/i);
  });
});
