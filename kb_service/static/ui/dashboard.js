// Analytics dashboard (editor keys and above): totals as tiles, daily volume and rate charts, the
// unanswered-question clusters with "Create FAQ" (saves a draft), and the most shown articles.
import { api, clearSession, el, loginUrl, requireSession } from "./common.js";
import { PALETTE, legend, rateLines, stackedBars } from "./charts.js";
import { errorText, translator } from "./i18n.js";

const EDITOR_ROLES = ["editor", "admin"];
const TILES = [
  ["queries", "dashQueries", "count"],
  ["answer_rate", "dashAnswerRate", "rate"],
  ["clarify_rate", "dashClarifyRate", "rate"],
  ["handoff_rate", "dashHandoffRate", "rate"],
  ["p50_latency_ms", "dashP50", "ms"],
  ["p95_latency_ms", "dashP95", "ms"],
  ["helpful_rate", "dashHelpfulRate", "rate"],
  ["degraded_rate", "dashDegradedRate", "rate"],
];
const ARTICLE_COLUMNS = ["impressions", "top1", "clicks", "used", "helpful", "not_helpful"];
const $ = (id) => document.getElementById(id);
const state = { t: translator("zh"), categories: [], seq: 0, cluster: null, button: null };
const session = requireSession();
const kbPath = session ? "/v1/kbs/" + encodeURIComponent(session.kb || "default") : "";

/** Tile text: rates as percentages with one decimal, latencies in ms, "—" when the API says null. */
export function formatValue(value, kind) {
  if (value === null || value === undefined) return "—";
  if (kind === "rate") return (value * 100).toFixed(1) + "%";
  if (kind === "ms") return Math.round(value) + " ms";
  return String(value);
}

function showError(err) {
  const box = $("status");
  box.replaceChildren(errorText(state.t, err));
  if (err && err.status === 401) {
    const link = el("a", { href: loginUrl("/ui/dashboard"), class: "relogin", text: state.t("relogin") });
    link.addEventListener("click", () => clearSession());
    box.append(" ", link);
  }
  box.hidden = false;
}

function applyLanguage(profile) {
  const t = (state.t = translator(profile.language));
  document.documentElement.lang = profile.language === "en" ? "en" : "zh";
  document.title = "kbsearch · " + t("dashTitle");
  state.categories = profile.categories || [];
  $("kb-name").textContent = profile.name || profile.slug || "";
  const labels = {
    "page-title": "dashTitle", "period-label": "dashPeriod", logout: "logout", "volume-title": "dashVolumeChart",
    "rates-title": "dashRatesChart", "unanswered-title": "dashUnanswered", "col-question": "dashQuestion",
    "col-count": "dashCount", "col-last-seen": "dashLastSeen", "articles-title": "dashTopArticles",
    "col-article": "dashArticle", "col-status": "dashStatus", "col-impressions": "dashImpressions",
    "col-top1": "dashTop1", "col-clicks": "dashClicks", "col-used": "dashUsed", "col-helpful": "helpful",
    "col-not-helpful": "notHelpful", "faq-title": "dashFaqForm", "faq-question-label": "dashStdQuestion",
    "faq-similar-label": "dashSimilar", "faq-answer-label": "dashAnswer", "faq-category-label": "category",
    "faq-cancel": "dashCancel", "faq-save": "dashSave",
  };
  for (const [id, key] of Object.entries(labels)) $(id).textContent = t(key);
  for (const option of $("period").options) option.textContent = t("dashDays" + option.value);
  $("faq-category").replaceChildren(...state.categories.map((name) => el("option", { value: name, text: name })));
}

function renderTiles(totals) {
  $("tiles").replaceChildren(
    ...TILES.map(([field, label, kind]) =>
      el(
        "div",
        { class: "tile", "data-field": field },
        el("span", { class: "tile-label", text: state.t(label) }),
        el("strong", { class: "tile-value", text: formatValue(totals[field], kind) }),
      ),
    ),
  );
}

function renderCharts(days) {
  const t = state.t;
  const labels = days.map((d) => d.date);
  const channels = [...new Set(days.flatMap((d) => Object.keys(d.by_channel)))].sort();
  const volume = channels.map((name, i) => ({
    name: t(name), color: PALETTE[i % PALETTE.length], values: days.map((d) => d.by_channel[name] || 0),
  }));
  const any = days.some((d) => d.total > 0);
  const empty = () => el("p", { class: "muted small", text: t("dashNoData") });
  $("volume-chart").replaceChildren(stackedBars(labels, volume), any ? legend(volume) : empty());
  const rateOf = (d, field) => {
    const decided = d.answer + d.clarify + d.handoff;
    return decided ? d[field] / decided : null;
  };
  const rates = [
    { name: t("dashAnswerRate"), color: PALETTE[1], values: days.map((d) => rateOf(d, "answer")) },
    { name: t("dashHandoffRate"), color: PALETTE[4], values: days.map((d) => rateOf(d, "handoff")) },
  ];
  $("rates-chart").replaceChildren(rateLines(labels, rates), legend(rates));
}

function questionCell(item) {
  const others = item.examples.filter((text) => text !== item.question);
  if (!others.length) return el("td", { class: "question", text: item.question });
  const details = el(
    "details",
    { title: item.examples.join("\n") },
    el("summary", {}, el("span", { class: "cluster-question", text: item.question }),
      el("span", { class: "muted small", text: ` (${item.examples.length}${state.t("dashWordings")})` })),
    el("ul", { class: "examples" }, ...item.examples.map((text) => el("li", { text }))),
  );
  return el("td", { class: "question" }, details);
}

function renderUnanswered(data) {
  const body = $("unanswered").tBodies[0];
  const rows = data.items.map((item) => {
    const button = el("button", { type: "button", class: "create-faq", text: state.t("dashCreateFaq") });
    button.addEventListener("click", () => openFaqForm(item, button));
    const seen = item.last_seen ? new Date(item.last_seen).toLocaleString() : "—";
    return el(
      "tr",
      { class: "cluster" },
      questionCell(item),
      el("td", { class: "num count", text: String(item.count) }),
      el("td", { class: "small", text: seen }),
      el("td", {}, button),
    );
  });
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 4, class: "muted", text: state.t("dashNoUnanswered") })));
  body.replaceChildren(...rows);
}

function renderArticles(data) {
  const t = state.t;
  const statusKey = (s) => "dash" + String(s || "").charAt(0).toUpperCase() + String(s || "").slice(1);
  const rows = data.items.map((item) =>
    el(
      "tr",
      { class: "article", "data-article-id": item.article_id },
      el("td", { text: item.title === null ? `#${item.article_id} ${t("dashDeleted")}` : item.title }),
      el("td", { class: "small", text: item.status ? t(statusKey(item.status)) : "—" }),
      ...ARTICLE_COLUMNS.map((name) => el("td", { class: "num", text: String(item[name]) })),
    ),
  );
  if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 8, class: "muted", text: t("dashNoArticles") })));
  $("top-articles").tBodies[0].replaceChildren(...rows);
}

async function load() {
  const days = $("period").value;
  const seq = ++state.seq;
  $("busy").textContent = state.t("dashLoading");
  $("busy").hidden = false;
  try {
    const [summary, unanswered, articles] = await Promise.all([
      api(session.key, `${kbPath}/analytics/summary?days=${days}`),
      api(session.key, `${kbPath}/analytics/unanswered?days=${days}&limit=20`),
      api(session.key, `${kbPath}/analytics/articles?days=${days}&limit=10`),
    ]);
    if (seq !== state.seq) return; // the period changed while this was loading
    $("status").hidden = true;
    renderTiles(summary.totals);
    renderCharts(summary.days);
    renderUnanswered(unanswered);
    renderArticles(articles);
    $("content").hidden = false;
    document.body.dataset.days = days;
  } catch (err) {
    if (seq === state.seq) showError(err);
  } finally {
    if (seq === state.seq) $("busy").hidden = true;
  }
}

function formMessage(text, ok) {
  const box = $("faq-message");
  box.textContent = text;
  box.className = ok ? "success" : "error";
  box.hidden = false;
}

function openFaqForm(item, button) {
  state.cluster = item;
  state.button = button;
  $("faq-question").value = item.question;
  $("faq-similar").value = item.examples.filter((text) => text !== item.question).join("\n");
  $("faq-answer").value = "";
  $("faq-message").hidden = true;
  $("faq-save").disabled = false;
  $("faq-dialog").showModal();
  $("faq-answer").focus();
}

async function saveFaq(event) {
  event.preventDefault();
  const t = state.t;
  const question = $("faq-question").value.trim();
  const answer = $("faq-answer").value.trim();
  if (!question || !answer) return formMessage(t("dashRequired"), false);
  const similar = $("faq-similar").value.split("\n").map((s) => s.trim()).filter((s) => s && s !== question);
  const body = { type: "faq", question, similar_questions: similar, answer, status: "draft" };
  if ($("faq-category").value) body.category = $("faq-category").value;
  $("faq-save").disabled = true;
  formMessage(t("dashSaving"), true);
  try {
    const created = await api(session.key, kbPath + "/articles", { method: "POST", body });
    formMessage(t("dashSaved") + created.id, true);
    $("faq-dialog").dataset.createdId = String(created.id);
    if (state.button) {
      state.button.textContent = t("dashFaqCreated");
      state.button.disabled = true;
    }
  } catch (err) {
    formMessage(errorText(t, err), false);
    $("faq-save").disabled = false;
  }
}

async function start() {
  $("logout").addEventListener("click", () => {
    clearSession();
    location.assign(loginUrl("/ui/dashboard"));
  });
  $("faq-form").addEventListener("submit", saveFaq);
  $("faq-cancel").addEventListener("click", () => $("faq-dialog").close());
  try {
    const [profile, me] = await Promise.all([api(session.key, kbPath + "/profile"), api(session.key, "/v1/whoami")]);
    applyLanguage(profile);
    if (!EDITOR_ROLES.includes(me.role)) {
      $("forbidden").textContent = state.t("dashNeedsEditor") + me.role;
      $("forbidden").hidden = false;
      $("period").disabled = true;
      document.body.classList.add("ready");
      return;
    }
  } catch (err) {
    document.body.classList.add("ready");
    return showError(err);
  }
  $("period").addEventListener("change", load);
  await load();
  document.body.classList.add("ready");
}

if (session) start();
