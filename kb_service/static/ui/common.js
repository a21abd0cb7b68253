// Shared by the web pages: the session (API key + KB in sessionStorage), API calls, DOM building.
// API text only ever reaches the page through textContent / text nodes, never innerHTML.

const STORE = "kbsearch.session";

export function loadSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(STORE) || "null");
    return session && typeof session.key === "string" && session.key ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(STORE, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(STORE);
}

export function loginUrl(next) {
  return "/ui/login?next=" + encodeURIComponent(next || location.pathname + location.search);
}

/** The stored session, or null after sending the browser to the login page. */
export function requireSession() {
  const session = loadSession();
  if (!session) location.replace(loginUrl());
  return session;
}

/** Only same-site page paths are followed after login (no open redirect). */
export function safeNext(value, fallback = "/ui/assist") {
  return typeof value === "string" && /^\/ui\/[\w\-/]*(\?[^#]*)?$/.test(value) ? value : fallback;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the JSON API with the session's key; throws ApiError carrying the API's own message. */
export async function api(key, path, { method = "GET", body, signal } = {}) {
  const headers = { Authorization: "Bearer " + key, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      cache: "no-store",
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError(0, "network", String((err && err.message) || err));
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    const message = error.message || response.statusText || "HTTP " + response.status;
    const failure = new ApiError(response.status, error.code || "http_" + response.status, message);
    failure.retryAfter = Number(response.headers.get("Retry-After")) || 0;
    failure.details = Array.isArray(error.details) ? error.details : []; // fields at fault, e.g. products[3].aliases[1]
    throw failure;
  }
  return data;
}

/** Builds an element; string children become text nodes, so API text is never parsed as HTML. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}
