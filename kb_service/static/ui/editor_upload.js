// Upload: a dry run first (nothing written) lists what each row would do, with each bad row's error in
// that row; then Import writes the good rows (skipping the bad ones only when the editor chose to).
import { ApiError, el } from "./common.js";
import { describeError, notice } from "./editor_text.js";

const ACCEPT = ".csv,.tsv,.xlsx,.json,.jsonl,.md,.markdown,.html,.htm,.docx,.zip";

/** POST /imports as multipart; errors carry the API's message (and its row list in `details`). */
async function sendFile(ctx, file, params) {
  const form = new FormData();
  form.append("file", file, file.name);
  let response;
  try {
    response = await fetch(`${ctx.kbPath}/imports?${new URLSearchParams(params)}`, {
      method: "POST",
      headers: { Authorization: "Bearer " + ctx.key, Accept: "application/json" },
      body: form,
      cache: "no-store",
    });
  } catch (err) {
    throw new ApiError(0, "network", String((err && err.message) || err));
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (response.ok) return data;
  const error = (data && data.error) || {};
  const failure = new ApiError(response.status, error.code || "http_" + response.status, error.message || response.statusText);
  failure.details = error.details || [];
  throw failure;
}

/** Plan items and row errors in file / row order, so that each error sits where its row is. */
export function mergeRows(result) {
  const rows = [
    ...result.items.map((item) => ({ ...item, error: null })),
    ...result.errors.filter((e) => e.row !== null && e.row !== undefined).map((e) => ({ file: e.file, row: e.row, action: "error", error: e })),
  ];
  return rows.sort((a, b) => (a.file === b.file ? a.row - b.row : a.file < b.file ? -1 : 1));
}

export function createUpload(ctx, box, { onImported }) {
  const t = ctx.t;
  const state = { result: null, file: null };
  const file = el("input", { id: "upload-file", type: "file", accept: ACCEPT });
  const status = el("select", { id: "upload-status" }, el("option", { value: "draft", text: t("edStatus_draft") }));
  if (ctx.isAdmin || !ctx.settings.require_review) status.append(el("option", { value: "published", text: t("edStatus_published") }));
  const preview = el("button", { type: "button", id: "upload-preview", class: "primary", text: t("edDryRun"), disabled: true });
  const apply = el("button", { type: "button", id: "upload-apply", class: "primary", hidden: true });
  const message = el("p", { id: "upload-message", role: "status", hidden: true });
  const summary = el("p", { id: "upload-summary", hidden: true });
  const fileErrors = el("ul", { id: "upload-file-errors", class: "error-list" });
  const table = el("table", { id: "upload-rows", class: "data", hidden: true });
  box.replaceChildren(
    el("h2", { text: t("edUploadTitle") }),
    el("p", { class: "muted small", text: t("edUploadHint") }),
    el("div", { class: "upload-bar" }, file, el("label", {}, t("edNewStatus") + " ", status), preview, apply),
    message, summary, fileErrors, table,
  );

  function cell(row) {
    if (!row.error) {
      const ref = row.article_id ? el("span", { class: "muted small", text: ` #${row.article_id}` }) : null;
      return el("td", {}, el("span", { class: "row-title", text: row.title || "" }), ref);
    }
    const where = row.error.field ? row.error.field + t("sep") : "";
    return el("td", { class: "row-error-message" }, el("span", { class: "error-text", text: where + row.error.message }));
  }

  function render(result) {
    const rows = mergeRows(result);
    const head = el("tr", {}, ...["edFile", "edRow", "edActionCol", "edTitleOrError"].map((k) => el("th", { text: t(k) })));
    const body = rows.map((row) =>
      el(
        "tr",
        { class: "upload-row" + (row.error ? " row-error" : ""), "data-row": row.row, "data-action": row.action },
        el("td", { class: "small", text: row.file }),
        el("td", { class: "num", text: String(row.row) }),
        el("td", {}, el("span", { class: "chip action-" + row.action, text: t("edPlan_" + row.action) })),
        cell(row),
      ),
    );
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, ...body));
    table.hidden = !rows.length;
    const whole = result.errors.filter((e) => e.row === null || e.row === undefined);
    fileErrors.replaceChildren(...whole.map((e) => el("li", { class: "error", text: `${e.file}${t("sep")}${e.message}` })));
    const counts = `${t("edPlan_created")} ${result.created} · ${t("edPlan_updated")} ${result.updated} · ${t("edPlan_unchanged")} ${result.unchanged} · ${t("edPlan_error")} ${result.errors.length}`;
    summary.textContent = (result.dry_run ? t("edWouldDo") : t("edDid")) + counts;
    summary.hidden = false;
  }

  async function run(dryRun) {
    if (!state.file) return;
    preview.disabled = apply.disabled = true;
    notice(message, dryRun ? t("edChecking") : t("edImporting"), "info");
    const skipBad = !dryRun && state.result && state.result.errors.length > 0;
    const params = { dry_run: String(dryRun), partial: String(dryRun || skipBad), status: status.value };
    try {
      const result = await sendFile(ctx, state.file, params);
      render(result);
      if (dryRun) {
        state.result = result;
        const writes = result.created + result.updated;
        apply.textContent = result.errors.length ? t("edImportSkipping").replace("{n}", String(writes)) : t("edImport");
        apply.hidden = false;
        apply.disabled = writes === 0;
        notice(message, "", null);
      } else {
        state.result = null;
        apply.hidden = true;
        notice(message, t("edImported"), "success");
        onImported(result);
      }
    } catch (err) {
      notice(message, describeError(t, err), "error");
      if (err.details && err.details.length) render({ items: [], errors: err.details, created: 0, updated: 0, unchanged: 0, dry_run: dryRun });
    } finally {
      preview.disabled = !state.file;
      if (!apply.hidden && state.result) apply.disabled = state.result.created + state.result.updated === 0;
    }
  }

  file.addEventListener("change", () => {
    state.file = file.files[0] || null;
    state.result = null;
    apply.hidden = true;
    summary.hidden = true;
    table.hidden = true;
    fileErrors.replaceChildren();
    notice(message, "", null);
    preview.disabled = !state.file;
  });
  status.addEventListener("change", () => {
    state.result = null; // the preview was made for the other status
    apply.hidden = true;
  });
  preview.addEventListener("click", () => run(true));
  apply.addEventListener("click", () => run(false));
}
