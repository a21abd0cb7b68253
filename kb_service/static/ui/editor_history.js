// Version history of the open article: one row per saved version (newest first), a line diff of the
// chosen version against the one before it, and Restore (saved as a new version; stale → 409).
import { el } from "./common.js";
import { describeError } from "./editor_text.js";

const MAX_DIFF_CELLS = 4_000_000; // lines × lines; beyond this the diff shows both texts whole

/** A version's content as lines, one field after another, so that a diff reads field by field. */
export function snapshotLines(t, s) {
  const lines = [];
  const add = (label, value) => {
    for (const [i, part] of String(value ?? "").split("\n").entries()) lines.push(i ? "  " + part : `${label}: ${part}`);
  };
  if (s.type === "faq") {
    add(t("edQuestion"), s.question);
    for (const q of s.similar_questions || []) add(t("edSimilar"), q);
    add(t("edAnswer"), s.answer);
    for (const [channel, text] of Object.entries(s.channel_answers || {})) add(t(channel), text);
  } else {
    add(t("edGuideTitle"), s.title);
    lines.push(t("edBody") + ":", ...String(s.body || "").split("\n"));
  }
  add(t("category"), s.category || "—");
  add(t("edProducts"), (s.products || []).join(", "));
  add(t("edTags"), (s.tags || []).join(", "));
  if (s.valid_from || s.valid_to) add(t("edValidity"), `${s.valid_from || ""} – ${s.valid_to || ""}`);
  add(t("edStatusCol"), t("edStatus_" + s.status));
  return lines;
}

/** Line diff by longest common subsequence: [{op: " " | "-" | "+", text}]. */
export function lineDiff(before, after) {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_DIFF_CELLS) {
    return [...before.map((text) => ({ op: "-", text })), ...after.map((text) => ({ op: "+", text }))];
  }
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      out.push({ op: " ", text: before[i] });
      i += 1;
      j += 1;
    } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push({ op: "-", text: before[i++] }); // removed lines first, as in a unified diff
    } else {
      out.push({ op: "+", text: after[j++] });
    }
  }
  return out;
}

export function createHistory(ctx, box, { onRestored }) {
  const t = ctx.t;
  const state = { article: null, items: [], seq: 0 };

  function diffView(index) {
    const item = state.items[index];
    const previous = state.items[index + 1];
    const lines = lineDiff(previous ? snapshotLines(t, previous.article) : [], snapshotLines(t, item.article));
    const title = previous ? `v${previous.version} → v${item.version}` : `v${item.version}`;
    const rows = lines.map((d) => el("div", { class: "diff-line " + { " ": "same", "-": "del", "+": "add" }[d.op] }, el("span", { class: "diff-op", text: d.op }), el("span", { text: d.text || " " })));
    return el("div", { class: "diff", id: "diff", "data-version": item.version }, el("div", { class: "diff-title small muted", text: title }), ...rows);
  }

  async function restore(version, button) {
    button.disabled = true;
    try {
      const body = { version: state.article.version };
      const restored = await ctx.call(`/articles/${state.article.id}/versions/${version}/restore`, { method: "POST", body });
      onRestored(restored);
      status(t("edRestored") + version, "success");
    } catch (err) {
      button.disabled = false;
      status(describeError(t, err), "error");
    }
  }

  function status(text, kind) {
    const p = box.querySelector(".history-status");
    p.textContent = text;
    p.className = "history-status " + kind;
    p.hidden = false;
  }

  function render(selected) {
    const current = state.article.version;
    const rows = state.items.map((item, index) => {
      const diffButton = el("button", { type: "button", class: "show-diff link", text: t("edShowDiff"), onclick: () => render(index) });
      const restoreButton = el("button", { type: "button", class: "restore", text: t("edRestore") });
      restoreButton.addEventListener("click", () => restore(item.version, restoreButton));
      restoreButton.hidden = item.version === current;
      const when = new Date(item.created_at).toLocaleString();
      const [action, from] = String(item.action).split(":"); // "restore:3" restored version 3
      return el(
        "li",
        { class: "version" + (index === selected ? " selected" : ""), "data-version": item.version },
        el("strong", { text: "v" + item.version }),
        el("span", { class: "small action", text: t("edAction_" + action) + (from ? " v" + from : "") }),
        el("span", { class: "muted small", text: `${item.created_by || "—"} · ${when}` }),
        diffButton,
        restoreButton,
      );
    });
    box.replaceChildren(
      el("h3", { text: t("edHistory") }),
      el("p", { class: "history-status", hidden: true }),
      el("div", { class: "history-body" }, el("ol", { class: "versions" }, ...rows), state.items.length ? diffView(selected) : null),
    );
    box.dataset.loaded = String(current);
  }

  async function show(article) {
    state.article = article;
    box.hidden = !article;
    if (!article) return;
    const seq = ++state.seq;
    try {
      const data = await ctx.call(`/articles/${article.id}/versions`);
      if (seq !== state.seq) return;
      state.items = data.items;
      render(0);
    } catch (err) {
      if (seq === state.seq) box.replaceChildren(el("p", { class: "error", text: describeError(t, err) }));
    }
  }

  return { show };
}
