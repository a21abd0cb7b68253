// Review queue (admins, when the KB requires review): drafts editors submitted, each with Open and
// Approve (publishes the version that was reviewed; a newer edit in between gets 409).
import { el } from "./common.js";
import { describeError, notice } from "./editor_text.js";

export function createReview(ctx, box, { onOpen, onApproved }) {
  const t = ctx.t;
  const message = el("p", { id: "review-message", role: "status", hidden: true });
  const list = el("ul", { id: "review-list", class: "review-list" });
  box.replaceChildren(el("h2", { text: t("edReviewQueue") }), el("p", { class: "muted small", text: t("edReviewHint") }), message, list);

  async function approve(article, button) {
    button.disabled = true;
    try {
      await ctx.call(`/articles/${article.id}/publish`, { method: "POST", body: { version: article.version } });
      notice(message, t("edApproved") + (article.question || article.title), "success");
      onApproved(article);
      await reload();
    } catch (err) {
      button.disabled = false;
      notice(message, describeError(t, err), "error");
    }
  }

  function item(article) {
    const title = article.type === "faq" ? article.question : article.title;
    const preview = article.type === "faq" ? article.answer : article.body;
    const approveButton = el("button", { type: "button", class: "approve primary", text: t("edApprove") });
    approveButton.addEventListener("click", () => approve(article, approveButton));
    const when = new Date(article.updated_at).toLocaleString();
    return el(
      "li",
      { class: "review-item", "data-id": article.id },
      el("div", { class: "card-head" }, el("span", { class: "badge " + article.type, text: t(article.type) }), el("strong", { class: "title", text: title || "" })),
      el("p", { class: "small review-preview", text: String(preview || "").slice(0, 200) }),
      el("p", { class: "muted small", text: `${t("edSubmittedBy")}${article.updated_by || "—"} · ${when} · v${article.version}` }),
      el("div", { class: "actions" }, el("button", { type: "button", class: "open", text: t("edOpen"), onclick: () => onOpen(article.id) }), approveButton),
    );
  }

  async function reload() {
    try {
      const data = await ctx.call("/articles?status=draft&review_requested=true&limit=100");
      list.replaceChildren(...data.items.map(item));
      if (!data.items.length) list.append(el("li", { class: "muted empty", text: t("edReviewEmpty") }));
      box.dataset.count = String(data.total);
    } catch (err) {
      notice(message, describeError(t, err), "error");
    }
  }

  return { reload };
}
