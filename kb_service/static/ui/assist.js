// Agent-assist sidebar: suggestions refresh as the agent types (debounced; stale requests aborted,
// out-of-order answers ignored), Copy sends "used" feedback, arrows move, Ctrl+Enter copies.
import { api, clearSession, el, loginUrl, requireSession } from "./common.js";
import { copyText } from "./clipboard.js";
import { hasCustomerText, parseConversation } from "./conversation.js";
import { errorText, translator } from "./i18n.js";
import { keyAction } from "./keys.js";
import { buildCard } from "./suggestions.js";

const DEBOUNCE_MS = 300;
const $ = (id) => document.getElementById(id);
const ui = {
  text: $("conversation"), channel: $("channel"), category: $("category"), product: $("product"),
  status: $("status"), meta: $("meta"), queue: $("queue"), sentiment: $("sentiment"), took: $("took"),
  degraded: $("degraded"), busy: $("busy"), results: $("results"), entities: $("entities"),
};
const state = {
  t: translator("zh"), cards: [], selected: 0, data: null,
  seq: 0, controller: null, timer: 0, sent: "", used: new Set(),
};
const session = requireSession();
const kbPath = session ? "/v1/kbs/" + encodeURIComponent(session.kb || "default") : "";

function showError(err) {
  ui.status.replaceChildren(errorText(state.t, err));
  if (err && err.status === 401) {
    const link = el("a", { href: loginUrl("/ui/assist"), class: "relogin", text: state.t("relogin") });
    link.addEventListener("click", () => clearSession());
    ui.status.append(" ", link);
  }
  ui.status.hidden = false;
}

function showMessage(text) {
  ui.status.replaceChildren(text);
  ui.status.hidden = false;
}

function clearError() {
  ui.status.hidden = true;
  ui.status.replaceChildren();
}

function applyLanguage(profile) {
  const t = (state.t = translator(profile.language));
  document.documentElement.lang = profile.language === "en" ? "en" : "zh";
  document.title = "kbsearch · " + t("title");
  $("page-title").textContent = t("title");
  $("kb-name").textContent = profile.name || profile.slug || "";
  $("logout").textContent = t("logout");
  ui.text.placeholder = t("placeholder");
  $("hint").textContent = t("hint");
  ui.product.placeholder = t("productPlaceholder");
  for (const id of ["channel", "category", "product"]) $(id + "-label").textContent = t(id);
  for (const option of ui.channel.options) option.textContent = t(option.value);
  ui.category.replaceChildren(el("option", { value: "", text: t("anyCategory") }));
  for (const name of profile.categories || []) ui.category.append(el("option", { value: name, text: name }));
}

function request() {
  const conversation = parseConversation(ui.text.value);
  if (!hasCustomerText(conversation)) return null;
  const filters = {};
  if (ui.category.value) filters.category = ui.category.value;
  const products = ui.product.value.split(/[,，;；]/).map((p) => p.trim()).filter(Boolean);
  if (products.length) filters.products = products;
  return { conversation, channel: ui.channel.value, top_k: 5, filters };
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => search(false), DEBOUNCE_MS);
}

async function search(force) {
  clearTimeout(state.timer);
  const body = request();
  const signature = JSON.stringify(body);
  if (!force && signature === state.sent) return;
  state.sent = signature;
  if (state.controller) state.controller.abort();
  if (!body) return render(null);
  const seq = ++state.seq;
  const controller = (state.controller = new AbortController());
  ui.busy.textContent = state.t("searching");
  ui.busy.hidden = false;
  try {
    const data = await api(session.key, kbPath + "/suggest", { method: "POST", body, signal: controller.signal });
    if (seq !== state.seq) return; // an answer to an older text arrived late
    clearError();
    render(data);
  } catch (err) {
    if (seq !== state.seq || (err && err.name === "AbortError")) return;
    state.sent = "";
    showError(err);
    // Rate limited: try the same text again once the server says it may (unless the agent types on).
    if (err.status === 429) state.timer = setTimeout(() => search(false), Math.min(err.retryAfter || 1, 10) * 1000);
  } finally {
    if (seq === state.seq) ui.busy.hidden = true;
  }
}

function renderMeta(data) {
  const t = state.t;
  ui.queue.textContent = t("queue") + t("sep") + (data.queue || "—");
  const mood = (data.sentiment && data.sentiment.label) || "neutral";
  ui.sentiment.textContent = t("sentiment") + t("sep") + t(mood);
  ui.sentiment.className = "chip sentiment-" + mood.replace(/[^a-z_]/g, "");
  ui.took.textContent = t("took") + " " + Math.round(data.took_ms || 0) + " ms";
  ui.degraded.textContent = t("degraded");
  ui.degraded.hidden = !data.degraded;
  renderEntities(data.entities || []);
  ui.meta.hidden = false;
}

// Products the customer named: one click makes one the product filter (the ranking already prefers
// its articles; the filter keeps only them and articles for every product).
function renderEntities(entities) {
  const t = state.t;
  const named = [...new Set(entities.filter((e) => e.canonical && (e.kind === "product" || e.kind === "series"))
    .map((e) => e.canonical))];
  const current = ui.product.value.split(/[,，;；]/).map((p) => p.trim()).filter(Boolean);
  ui.entities.replaceChildren(...named.filter((name) => !current.includes(name)).map((name) =>
    el("button", {
      type: "button", class: "chip entity", title: t("filterByProduct"), "data-product": name,
      text: t("productChip") + t("sep") + name,
      onclick: () => { ui.product.value = name; search(true); },
    })));
}

function render(data) {
  state.data = data;
  state.cards = [];
  state.selected = 0;
  ui.results.replaceChildren();
  ui.results.dataset.queryId = "";
  if (!data) {
    ui.meta.hidden = true;
    return;
  }
  renderMeta(data);
  ui.results.dataset.queryId = data.query_id || "";
  const replies = new Map();
  for (const reply of data.replies || []) if (!replies.has(reply.article_id)) replies.set(reply.article_id, reply);
  (data.articles || []).forEach((article, index) => {
    const card = buildCard(state.t, article, replies.get(article.article_id) || null, {
      onCopy: () => copyReply(index),
      onFeedback: (event) => feedback(data.query_id, article.article_id, event),
      onSelect: () => select(index),
    });
    state.cards.push(card);
    ui.results.append(card.node);
  });
  if (!state.cards.length) ui.results.append(el("li", { class: "empty muted", text: state.t("empty") }));
  select(0, false);
}

function select(index, scroll = true) {
  if (!state.cards.length) return;
  state.selected = Math.max(0, Math.min(index, state.cards.length - 1));
  state.cards.forEach((card, i) => {
    card.node.classList.toggle("selected", i === state.selected);
    if (i === state.selected) card.node.setAttribute("aria-current", "true");
    else card.node.removeAttribute("aria-current");
  });
  if (scroll) state.cards[state.selected].node.scrollIntoView({ block: "nearest" });
}

async function feedback(queryId, articleId, event) {
  try {
    const body = { query_id: queryId, article_id: articleId, event };
    await api(session.key, kbPath + "/feedback", { method: "POST", body });
    return true;
  } catch (err) {
    showError(err);
    return false;
  }
}

async function copyReply(index) {
  const card = state.cards[index];
  if (!card) return;
  select(index, false);
  if (!card.reply) return showMessage(state.t("noReply"));
  if (!(await copyText(card.reply.text))) return showMessage(state.t("copyFailed"));
  const button = card.copyButton;
  button.textContent = state.t("copied");
  button.classList.add("done");
  setTimeout(() => {
    button.textContent = state.t("copy");
    button.classList.remove("done");
  }, 1500);
  const queryId = state.data && state.data.query_id;
  const articleId = card.article.article_id;
  const key = queryId + ":" + articleId;
  if (queryId && !state.used.has(key) && (await feedback(queryId, articleId, "used"))) state.used.add(key);
}

function onKey(event) {
  const action = keyAction(event, ui.text);
  if (!action || (action !== "search" && !state.cards.length)) return;
  event.preventDefault();
  if (action === "search") search(true);
  else if (action === "copy") copyReply(state.selected);
  else select(state.selected + (action === "down" ? 1 : -1));
}

async function start() {
  $("logout").addEventListener("click", () => {
    clearSession();
    location.assign(loginUrl("/ui/assist"));
  });
  $("query-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search(true);
  });
  try {
    applyLanguage(await api(session.key, kbPath + "/profile"));
  } catch (err) {
    return showError(err);
  }
  ui.text.addEventListener("input", schedule);
  ui.product.addEventListener("input", schedule);
  ui.channel.addEventListener("change", () => search(false));
  ui.category.addEventListener("change", () => search(false));
  document.addEventListener("keydown", onKey);
  document.body.classList.add("ready");
  ui.text.focus();
}

if (session) start();
