// "Test it": after publishing, search the live index with the article's question (or any wording the
// editor types) and say whether, and at which place, the article is found.
import { el } from "./common.js";
import { describeError } from "./editor_text.js";
import { snippetNodes } from "./suggestions.js";

const TOP_K = 5;

export function createTestIt(ctx, box) {
  const t = ctx.t;
  const state = { article: null, seq: 0 };
  const query = el("input", { id: "testit-query", type: "search", spellcheck: "false" });
  const button = el("button", { type: "submit", id: "testit-run", text: t("edTestRun") });
  const verdict = el("p", { id: "testit-verdict", role: "status", hidden: true });
  const results = el("ol", { id: "testit-results", class: "testit-results" });
  const form = el("form", { class: "testit-form" }, query, button);
  box.replaceChildren(el("h3", { text: t("edTestIt") }), el("p", { class: "muted small", text: t("edTestHint") }), form, verdict, results);

  function resultRow(result, mine) {
    return el(
      "li",
      { class: "testit-result" + (mine ? " mine" : ""), "data-article-id": result.article_id },
      el("span", { class: "badge " + result.type, text: t(result.type) }),
      " ",
      el("strong", { class: "title", text: result.title || "" }),
      el("span", { class: "muted small", text: ` · ${result.score.toFixed(3)}` }),
      el("div", { class: "snippet small" }, ...snippetNodes(result.snippet)),
    );
  }

  async function search() {
    const text = query.value.trim();
    if (!text || !state.article) return;
    const seq = ++state.seq;
    verdict.hidden = true;
    button.disabled = true;
    try {
      const data = await ctx.call("/search", { method: "POST", body: { query: text, top_k: TOP_K } });
      if (seq !== state.seq) return;
      const id = state.article.id;
      const place = data.results.findIndex((r) => r.article_id === id);
      results.replaceChildren(...data.results.map((r) => resultRow(r, r.article_id === id)));
      verdict.textContent = place >= 0 ? t("edTestFound").replace("{n}", String(place + 1)) : t("edTestMissing");
      verdict.className = place >= 0 ? "success" : "notice";
      verdict.dataset.place = String(place + 1);
      verdict.hidden = false;
    } catch (err) {
      if (seq !== state.seq) return;
      verdict.textContent = describeError(t, err);
      verdict.className = "error";
      verdict.hidden = false;
    } finally {
      if (seq === state.seq) button.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });

  /** Shown for published articles, prefilled with the article's own question or title. */
  function prepare(article) {
    const changed = !state.article || !article || state.article.id !== article.id;
    state.article = article;
    box.hidden = !article || article.status !== "published";
    if (!article || !changed) return;
    query.value = (article.type === "faq" ? article.question : article.title) || "";
    results.replaceChildren();
    verdict.hidden = true;
  }

  /** Right after publishing: run the search at once. */
  function run(article) {
    prepare(article);
    return search();
  }

  return { prepare, run };
}
