// The KB's dictionary (editors: user words, synonym groups; saving reindexes) and its settings (admins:
// thresholds, review step, channels, retention, and the category → queue map as an editable table).
// Saving is shared with the other panels (editor_saving.js).
import { el } from "./common.js";
import { field, splitList } from "./editor_fields.js";
import { saveWith, versionedDocument } from "./editor_saving.js";

const CHANNELS = ["web", "wechat", "app", "phone", "email"];
const lines = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);

/** One synonym group per line, words separated by commas (or 、 / |); the first is the canonical word. */
export function parseSynonyms(text) {
  return lines(text).map((line) => splitList(line.replace(/[/|]/g, ","))).filter((g) => g.length);
}

export function createDictionary(ctx, box) {
  const t = ctx.t;
  const words = el("textarea", { id: "dict-words", rows: "10", spellcheck: "false" });
  const synonyms = el("textarea", { id: "dict-synonyms", rows: "10", spellcheck: "false" });
  const form = el(
    "form",
    { id: "dictionary-form", class: "two-columns" },
    el("div", {}, field(t("edUserWords"), words), el("p", { class: "muted small", text: t("edUserWordsHint") })),
    el("div", {}, field(t("edSynonyms"), synonyms), el("p", { class: "muted small", text: t("edSynonymsHint") })),
  );
  const doc = versionedDocument(ctx, box, form, {
    path: "/dictionary",
    prefix: "dict",
    show: (data) => {
      words.value = data.user_words.join("\n");
      synonyms.value = data.synonyms.map((group) => group.join(", ")).join("\n");
    },
    read: () => ({ user_words: lines(words.value), synonyms: parseSynonyms(synonyms.value) }),
  });
  box.replaceChildren(el("h2", { text: t("edDictionary") }), form, doc.actions);
  doc.load();
}

function queueRow(t, category, queue) {
  const name = el("input", { type: "text", class: "map-category", value: category, "aria-label": t("category") });
  const target = el("input", { type: "text", class: "map-queue", value: queue, "aria-label": t("edQueue") });
  const remove = el("button", { type: "button", class: "link", text: "✕", title: t("edRemove") });
  const tr = el("tr", { class: "map-row" }, el("td", {}, name), el("td", {}, target), el("td", {}, remove));
  remove.addEventListener("click", () => tr.remove());
  return tr;
}

export function createSettings(ctx, box, { onSaved }) {
  const t = ctx.t;
  const s = ctx.settings;
  const number = (id, value, step, min, max) => el("input", { id, type: "number", step, min, max, value: String(value) });
  const answer = number("set-answer", s.answer_threshold, "0.01", "0", "1");
  const clarify = number("set-clarify", s.clarify_threshold, "0.01", "0", "1");
  const retention = number("set-retention", s.log_retention_days, "1", "1", "3650");
  const fallback = el("input", { id: "set-default-queue", type: "text", value: s.default_queue });
  const language = el("select", { id: "set-language" }, el("option", { value: "zh", text: "中文" }), el("option", { value: "en", text: "English" }));
  language.value = s.language;
  const review = el("input", { id: "set-review", type: "checkbox", checked: s.require_review });
  const channels = CHANNELS.map((c) => el("input", { type: "checkbox", class: "set-channel", value: c, checked: s.channels.includes(c) }));
  const rows = el("tbody", {}, ...s.categories.map((c) => queueRow(t, c, s.queue_map[c] || "")));
  const add = el("button", { type: "button", id: "map-add", class: "link", text: "+ " + t("edAddCategory") });
  add.addEventListener("click", () => rows.append(queueRow(t, "", "")));
  const save = el("button", { type: "submit", id: "set-save", class: "primary", text: t("edSave") });
  const message = el("p", { id: "set-message", role: "status", hidden: true });
  const form = el(
    "form",
    { id: "settings-form" },
    el("div", { class: "meta-grid" }, field(t("edAnswerThreshold"), answer), field(t("edClarifyThreshold"), clarify), field(t("edDefaultQueue"), fallback), field(t("edRetention"), retention), field(t("edLanguage"), language)),
    el("label", { class: "check" }, review, " " + t("edRequireReview")),
    el("fieldset", { class: "channels" }, el("legend", { text: t("channel") }), ...channels.map((c) => el("label", { class: "check" }, c, " " + t(c.value)))),
    el("h3", { text: t("edQueueMap") }),
    el("table", { id: "queue-map", class: "data" }, el("thead", {}, el("tr", {}, el("th", { text: t("category") }), el("th", { text: t("edQueue") }), el("th"))), rows),
    add,
    el("div", { class: "form-actions start" }, save, message),
  );
  box.replaceChildren(el("h2", { text: t("edSettings") }), el("p", { class: "muted small", text: t("edSettingsHint") }), form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pairs = [...rows.querySelectorAll("tr")].map((tr) => [tr.querySelector(".map-category").value.trim(), tr.querySelector(".map-queue").value.trim()]).filter(([c]) => c);
    const body = {
      answer_threshold: Number(answer.value),
      clarify_threshold: Number(clarify.value),
      default_queue: fallback.value.trim(),
      log_retention_days: Number(retention.value),
      language: language.value,
      require_review: review.checked,
      channels: channels.filter((c) => c.checked).map((c) => c.value),
      categories: pairs.map(([c]) => c),
      queue_map: Object.fromEntries(pairs.filter(([, q]) => q)),
    };
    const saved = await saveWith(ctx, message, save, "/settings", body);
    if (saved) onSaved(saved);
  });
}
