/**
 * A JSON request for setting up a benchmark (sign-in, seeding). Throws with the status
 * and the start of the body when the answer is not the expected one, because a setup
 * step that silently failed would make the measurement meaningless.
 * @param {string} method
 * @param {string} url
 * @param {{ token?: string, body?: unknown, expect?: number }} [options]
 */
export async function requestJson(method, url, { token, body, expect = 200 } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== expect) {
    throw new Error(`${method} ${url} answered ${response.status}, expected ${expect}: ${text.slice(0, 300)}`);
  }
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined, headers: response.headers };
}
