// Small-talk replies (editors and admins): what the bot answers to greetings, "在吗", thanks,
// acknowledgements and farewells, per language, with optional per-channel overrides. Saves only the two
// settings fields editors may change (chitchat_replies, chitchat_channel_replies); a text left empty
// falls back to the KB-wide one, then to the built-in default.
import { el } from "./common.js";
import { clearInvalid, markInvalid } from "./editor_fields.js";
import { saveWith } from "./editor_saving.js";
import { notice } from "./editor_text.js";

const KINDS = ["greeting", "presence", "thanks", "ack", "farewell"];
const LANGUAGES = ["zh", "en"];
const MAX_CHARS = 1000; // the API's limit per reply

/** The texts of one table (KB-wide or one channel): { zh: { greeting: text } }, empty ones left out. */
function readTexts(areas) {
  const out = {};
  for (const area of areas) {
    const text = area.value.trim();
    if (text) (out[area.dataset.lang] ||= {})[area.dataset.kind] = text;
  }
  return out;
}

/** A kind-per-row, language-per-column table of textareas, their ids prefixed by `prefix`. */
function repliesTable(t, prefix, texts) {
  const areas = [];
  const rows = KINDS.map((kind) => {
    const cells = LANGUAGES.map((lang) => {
      const area = el("textarea", {
        id: `${prefix}-${lang}-${kind}`,
        class: "reply-text-input",
        rows: "2",
        maxlength: String(MAX_CHARS),
        "data-lang": lang,
        "data-kind": kind,
        "aria-label": `${t("edKind_" + kind)} · ${t("edLang_" + lang)}`,
      });
      area.value = (texts[lang] || {})[kind] || "";
      areas.push(area);
      return el("td", {}, area);
    });
    return el("tr", {}, el("th", { scope: "row" }, el("span", { text: t("edKind_" + kind) }), el("span", { class: "muted small", text: t("edKindHint_" + kind) })), ...cells);
  });
  const head = el("tr", {}, el("th", { text: t("edReplyKind") }), ...LANGUAGES.map((lang) => el("th", { text: t("edLang_" + lang) })));
  const table = el("table", { class: "data replies-table", id: prefix + "-table" }, el("thead", {}, head), el("tbody", {}, ...rows));
  return { table, areas };
}

export function createReplies(ctx, box, { onSaved = () => {} } = {}) {
  const t = ctx.t;
  const s = ctx.settings;
  const general = repliesTable(t, "chat", s.chitchat_replies || {});
  const stored = s.chitchat_channel_replies || {};
  const channels = [...new Set([...(s.channels || []), ...Object.keys(stored)])];
  const perChannel = channels.map((channel) => {
    const { table, areas } = repliesTable(t, "chat-" + channel, stored[channel] || {});
    const summary = el("summary");
    const details = el("details", { id: "chat-channel-" + channel, class: "channel-replies" }, summary, table);
    // the summary says how many overrides the channel has, so folded channels do not hide any
    const counted = () => {
      const filled = areas.filter((a) => a.value.trim()).length;
      summary.textContent = filled ? `${t(channel)} (${t("edRepliesSet").replace("{n}", filled)})` : t(channel);
      return filled;
    };
    details.open = counted() > 0;
    table.addEventListener("input", counted);
    return { channel, areas, details };
  });

  // An empty override shows, as its placeholder, the KB-wide text it falls back to.
  function placeholders() {
    for (const { areas } of perChannel) {
      for (const area of areas) {
        const fallback = box.querySelector(`#chat-${area.dataset.lang}-${area.dataset.kind}`);
        area.placeholder = (fallback && fallback.value.trim()) || t("edReplyDefault");
      }
    }
    for (const area of general.areas) area.placeholder = t("edReplyDefault");
  }

  const save = el("button", { type: "submit", id: "replies-save", class: "primary", text: t("edSave") });
  const message = el("p", { id: "replies-message", role: "status", "aria-live": "polite", hidden: true });
  const form = el(
    "form",
    { id: "replies-form", autocomplete: "off" },
    el("h3", { text: t("edRepliesGeneral") }),
    general.table,
    el("h3", { text: t("edRepliesChannels") }),
    el("p", { class: "muted small", text: t("edRepliesChannelsHint") }),
    ...perChannel.map((c) => c.details),
    el("div", { class: "form-actions start" }, save, message),
  );
  box.replaceChildren(el("h2", { text: t("edReplies") }), el("p", { class: "muted small", text: t("edRepliesHint") }), form);
  placeholders();
  for (const area of general.areas) area.addEventListener("input", placeholders);

  /** A 422 names "chitchat_channel_replies.wechat.zh.greeting": the textarea with that path's id. */
  function explain(err) {
    let marked = 0;
    for (const detail of (err && err.status === 422 && err.details) || []) {
      const path = /^chitchat(?:_channel)?_replies\.(.+)$/.exec(String(detail.field || ""));
      const area = path && box.querySelector("#chat-" + CSS.escape(path[1].replace(/\./g, "-")));
      if (!area) continue;
      const details = area.closest("details");
      if (details) details.open = true;
      markInvalid(area, detail.message);
      marked += 1;
    }
    return marked ? t("edRowErrors").replace("{n}", marked) + err.message : null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearInvalid(form);
    const body = {
      chitchat_replies: readTexts(general.areas),
      chitchat_channel_replies: Object.fromEntries(perChannel.map((c) => [c.channel, readTexts(c.areas)]).filter(([, texts]) => Object.keys(texts).length)),
    };
    const saved = await saveWith(ctx, message, save, "/settings", body, explain);
    if (!saved) return;
    notice(message, t("edRepliesSaved"), "success");
    onSaved(saved);
  });
}
