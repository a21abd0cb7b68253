// Article list: filters (text, status, type, category) as query parameters of GET /articles, pages of
// PAGE_SIZE, one row per article; clicking a row opens it in the form.
import { el } from "./common.js";
import { describeError } from "./editor_text.js";

const PAGE_SIZE = 25;
const STATUSES = ["draft", "published", "archived"];
const TYPES = ["faq", "guide"];
const $ = (id) => document.getElementById(id);

function options(select, first, values, label) {
  select.replaceChildren(el("option", { value: "", text: first }), ...values.map((v) => el("option", { value: v, text: label(v) })));
}

/** The status cell text, with the review flag when a draft waits for an admin. */
export function statusText(t, article) {
  const text = t("edStatus_" + article.status);
  return article.review_requested ? text + " · " + t("edInReview") : text;
}

export function createList(ctx, { onOpen, onNew }) {
  const t = ctx.t;
  const state = { offset: 0, total: 0, seq: 0, timer: 0, selected: null };
  const body = $("article-list").tBodies[0];

  $("filter-q").placeholder = t("edSearchPlaceholder");
  options($("filter-status"), t("edAllStatuses"), STATUSES, (s) => t("edStatus_" + s));
  options($("filter-type"), t("edAllTypes"), TYPES, (s) => t(s));
  options($("filter-category"), t("anyCategory"), ctx.categories, (s) => s);
  $("new-faq").textContent = t("edNewFaq");
  $("new-guide").textContent = t("edNewGuide");
  for (const [id, key] of [["col-title", "edTitleCol"], ["col-category", "category"], ["col-status", "edStatusCol"], ["col-version", "edVersionCol"]]) {
    $(id).textContent = t(key);
  }

  function query() {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(state.offset) });
    const fields = { q: $("filter-q").value.trim(), status: $("filter-status").value, type: $("filter-type").value, category: $("filter-category").value };
    for (const [name, value] of Object.entries(fields)) if (value) params.set(name, value);
    return "/articles?" + params;
  }

  function row(article) {
    const title = article.type === "faq" ? article.question : article.title;
    const tr = el(
      "tr",
      { class: "article-row", "data-id": article.id, "data-status": article.status, tabindex: "0" },
      el("td", { class: "num muted", text: String(article.id) }),
      el("td", {}, el("span", { class: "badge " + article.type, text: t(article.type) }), " ", el("span", { class: "title", text: title || "" })),
      el("td", { class: "small", text: article.category || "—" }),
      el("td", { class: "small status status-" + article.status, text: statusText(t, article) }),
      el("td", { class: "num small", text: String(article.version) }),
    );
    const open = () => {
      state.selected = article.id;
      markSelected();
      onOpen(article.id);
    };
    tr.addEventListener("click", open);
    tr.addEventListener("keydown", (event) => {
      if (event.key === "Enter") open();
    });
    return tr;
  }

  function markSelected() {
    for (const tr of body.rows) tr.classList.toggle("selected", Number(tr.dataset.id) === state.selected);
  }

  async function reload() {
    const seq = ++state.seq;
    try {
      const data = await ctx.call(query());
      if (seq !== state.seq) return; // the filters changed while this was loading
      state.total = data.total;
      const rows = data.items.map(row);
      if (!rows.length) rows.push(el("tr", {}, el("td", { colspan: 5, class: "muted empty", text: t("edNoArticles") })));
      body.replaceChildren(...rows);
      markSelected();
      const last = Math.min(state.offset + PAGE_SIZE, state.total);
      $("list-total").textContent = t("edTotal") + state.total;
      $("page-info").textContent = state.total ? `${state.offset + 1}–${last} / ${state.total}` : "";
      $("page-prev").disabled = state.offset === 0;
      $("page-next").disabled = last >= state.total;
      $("article-list").dataset.loaded = String(seq);
    } catch (err) {
      if (seq !== state.seq) return;
      body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "error", text: describeError(t, err) })));
    }
  }

  function refilter() {
    state.offset = 0;
    reload();
  }

  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    refilter();
  });
  $("filter-q").addEventListener("input", () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(refilter, 250);
  });
  for (const id of ["filter-status", "filter-type", "filter-category"]) $(id).addEventListener("change", refilter);
  $("page-prev").addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    reload();
  });
  $("page-next").addEventListener("click", () => {
    state.offset += PAGE_SIZE;
    reload();
  });
  $("new-faq").addEventListener("click", () => onNew("faq"));
  $("new-guide").addEventListener("click", () => onNew("guide"));
  return { reload };
}
