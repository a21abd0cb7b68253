// The article form: FAQ (standard question, similar questions, answer, channel answers) or guide (title,
// Markdown body with a live preview), shared metadata, Save (create, or update carrying the version it
// edits: a stale one gets 409 and a Reload button) and the status buttons.
import { el } from "./common.js";
import { categorySelect, channelAnswers, field, fromLocalInput, similarList, splitList, toLocalInput } from "./editor_fields.js";
import { statusText } from "./editor_list.js";
import { describeError } from "./editor_text.js";
import { renderMarkdown } from "./markdown_preview.js";

const CHANNELS = ["web", "wechat", "app", "phone", "email"];

export function createForm(ctx, form, { message, onShown, onSaved, onPublished }) {
  const t = ctx.t;
  const state = { article: null, type: "faq", parts: {}, dirty: false, busy: false };
  const dirty = () => (state.dirty = true);

  function input(id, value, tag = "input", props = {}) {
    const node = el(tag, { id, spellcheck: "false", ...props });
    node.value = value || "";
    return node;
  }

  function faqFields(a) {
    const similar = similarList(t, a.similar_questions || [], dirty);
    const known = (ctx.settings && ctx.settings.channels) || CHANNELS;
    const stored = Object.keys(a.channel_answers || {}); // kept even if the KB no longer lists the channel
    const channels = channelAnswers(t, [...new Set([...known, ...stored])], a.channel_answers || {});
    state.parts = { similar, channels };
    return [
      field(t("edQuestion"), input("f-question", a.question)),
      similar.node,
      field(t("edAnswer"), input("f-answer", a.answer, "textarea", { rows: "5" })),
      channels.node,
    ];
  }

  function guideFields(a) {
    const body = input("f-body", a.body, "textarea", { rows: "16", class: "markdown-source" });
    const preview = el("div", { id: "f-preview", class: "markdown-preview", "aria-live": "polite" });
    const render = () => preview.replaceChildren(renderMarkdown(body.value));
    body.addEventListener("input", render);
    render();
    return [
      field(t("edGuideTitle"), input("f-title", a.title)),
      el("div", { class: "markdown-pair" }, field(t("edBody"), body), el("div", { class: "field" }, el("span", { class: "label", text: t("edPreview") }), preview)),
    ];
  }

  function metaFields(a) {
    return el(
      "div",
      { class: "meta-grid" },
      field(t("category"), categorySelect(ctx.categories, a.category)),
      field(t("edProducts"), input("f-products", (a.products || []).join(", "), "input", { placeholder: t("edListHint") })),
      field(t("edTags"), input("f-tags", (a.tags || []).join(", "), "input", { placeholder: t("edListHint") })),
      field(t("edValidFrom"), input("f-valid-from", toLocalInput(a.valid_from), "input", { type: "datetime-local" })),
      field(t("edValidTo"), input("f-valid-to", toLocalInput(a.valid_to), "input", { type: "datetime-local" })),
    );
  }

  function buttons(a) {
    const reviewOnly = ctx.settings && ctx.settings.require_review && !ctx.isAdmin;
    const status = a ? a.status : null;
    const button = (id, key, onClick, extra = "") => el("button", { type: "button", id, class: extra, text: t(key), onclick: onClick });
    const row = [el("button", { type: "submit", id: "f-save", class: "primary", text: t(a ? "edSave" : "edSaveDraft") })];
    if (status === "draft" && reviewOnly) {
      row.push(a.review_requested ? el("span", { class: "chip", text: t("edInReview") }) : button("f-submit", "edSubmitReview", () => change("submit")));
    } else if ((status === "draft" || status === "archived") && !reviewOnly) {
      row.push(button("f-publish", "edPublish", () => change("publish"), "publish"));
    }
    if (status === "published") row.push(button("f-unpublish", "edUnpublish", () => change("unpublish")));
    if (status && status !== "archived") row.push(button("f-archive", "edArchive", () => change("archive"), "danger"));
    if (a) row.push(button("f-reload", "edReload", () => open(a.id), "reload"));
    if (a) row[row.length - 1].hidden = true;
    return el("div", { class: "form-actions" }, ...row);
  }

  function build(type, a) {
    state.type = type;
    state.dirty = false;
    const head = el(
      "div",
      { class: "form-head" },
      el("span", { class: "badge " + type, text: t(type) }),
      el("strong", { id: "f-heading", text: a ? `#${a.id}` : t(type === "faq" ? "edNewFaq" : "edNewGuide") }),
      a ? el("span", { id: "f-meta", class: "muted small", "data-version": a.version, "data-status": a.status, text: `v${a.version} · ${statusText(t, a)}` }) : null,
    );
    const main = type === "faq" ? faqFields(a || {}) : guideFields(a || {});
    form.replaceChildren(head, ...main, metaFields(a || {}), buttons(a));
    form.dataset.type = type;
    form.dataset.id = a ? String(a.id) : "";
  }

  function payload() {
    const value = (id) => form.querySelector("#" + id).value.trim();
    const body = {
      category: value("f-category") || null,
      products: splitList(value("f-products")),
      tags: splitList(value("f-tags")),
      valid_from: fromLocalInput(value("f-valid-from")),
      valid_to: fromLocalInput(value("f-valid-to")),
    };
    if (state.type === "faq") {
      Object.assign(body, { question: value("f-question"), answer: value("f-answer") });
      body.similar_questions = state.parts.similar.values();
      body.channel_answers = state.parts.channels.values();
    } else {
      Object.assign(body, { title: value("f-title"), body: form.querySelector("#f-body").value });
    }
    return body;
  }

  /** A 409 is a stale edit only when the stored article has moved on (else: a duplicate question...). */
  async function failed(err) {
    if (err && err.status === 409 && state.article) {
      const current = await ctx.call(`/articles/${state.article.id}`).catch(() => null);
      if (current && current.version !== state.article.version) {
        message(t("errConflict") + err.message, "error");
        form.querySelector("#f-reload").hidden = false;
        return null;
      }
    }
    message(describeError(t, err), "error");
    return null;
  }

  /** Runs one API write with the buttons disabled; returns the article it answers with, or null. */
  async function write(path, options) {
    if (state.busy) return null;
    const busy = (on) => {
      state.busy = on;
      for (const b of form.querySelectorAll("button")) b.disabled = on;
    };
    busy(true);
    try {
      return await ctx.call(path, options);
    } catch (err) {
      return await failed(err); // null
    } finally {
      busy(false);
    }
  }

  async function save() {
    const a = state.article;
    const body = payload();
    const saved = a
      ? await write(`/articles/${a.id}`, { method: "PUT", body: { ...body, version: a.version } })
      : await write("/articles", { method: "POST", body: { ...body, type: state.type, status: "draft" } });
    if (!saved) return null;
    show(saved);
    message(t(a ? "edSaved" : "edCreated") + ` (v${saved.version})`, "success");
    onSaved(saved);
    return saved;
  }

  async function change(action) {
    let a = state.article;
    if (state.dirty && action !== "archive" && !(a = await save())) return;
    const path = `/articles/${a.id}` + (action === "archive" ? "" : "/" + action);
    const options = action === "archive" ? { method: "DELETE" } : { method: "POST", body: { version: a.version } };
    const changed = await write(path, options);
    if (!changed) return;
    show(changed);
    message(t("edDone_" + action), "success");
    onSaved(changed);
    if (action === "publish") onPublished(changed);
  }

  function show(article) {
    state.article = article;
    build(article.type, article);
    onShown(article);
  }

  async function open(id) {
    try {
      show(await ctx.call(`/articles/${id}`));
      message("", null);
    } catch (err) {
      message(describeError(t, err), "error");
    }
  }

  function create(type) {
    state.article = null;
    build(type, null);
    message("", null);
    onShown(null);
    form.querySelector(type === "faq" ? "#f-question" : "#f-title").focus();
  }

  form.addEventListener("input", dirty); // any field, the similar questions and channel answers included
  form.addEventListener("change", dirty);
  form.addEventListener("keydown", (event) => {
    if (event.key !== "s" || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault(); // Ctrl+S saves instead of saving the web page
    save();
  });
  form.addEventListener("submit", (event) => event.preventDefault() || save());
  const refresh = () => (state.article ? build(state.article.type, state.article) : null);
  return { open, show, create, refresh, isDirty: () => state.dirty };
}
