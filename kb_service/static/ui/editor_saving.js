// Saving from the editor console's panels: one PUT with its progress and outcome in a status line, and
// the documents the API replaces whole with a compare-and-set on their version (the dictionary, the
// product catalogue): the version they were loaded at goes back with each save, and a 409 (someone saved
// in between) keeps everything the editor typed on the page and offers a reload.
import { el } from "./common.js";
import { describeError, notice } from "./editor_text.js";

/** PUTs `body` with `button` disabled; resolves to what the API answers, or null after showing the
 * error (`explain(err)` may word it instead, e.g. a stale version, and mark the fields at fault). */
export async function saveWith(ctx, message, button, path, body, explain = () => null) {
  button.disabled = true;
  notice(message, ctx.t("edSaving"), "info");
  try {
    const saved = await ctx.call(path, { method: "PUT", body });
    notice(message, ctx.t("edSettingsSaved"), "success");
    return saved;
  } catch (err) {
    notice(message, explain(err) || describeError(ctx.t, err), "error");
    return null;
  } finally {
    button.disabled = false;
  }
}

/**
 * A versioned document in `box` (its version in `box.dataset.version`) edited in `form`: `show(data)`
 * fills the inputs from what the API holds, `read()` returns the body to save (without the version);
 * `explain(err)` may word a failure and mark fields; `saved(data)` words the success. Returns the
 * actions row to place (save, a reload shown after a conflict, the status line `#<prefix>-message`),
 * load, save, and `touch()` for changes made without typing (a removed row).
 */
export function versionedDocument(ctx, box, form, { path, prefix, show, read, explain = () => null, saved = () => null }) {
  const t = ctx.t;
  let dirty = false;
  const save = el("button", { type: "submit", id: prefix + "-save", class: "primary", text: t("edSave") });
  const reload = el("button", { type: "button", id: prefix + "-reload", text: t("edReload"), hidden: true });
  const message = el("p", { id: prefix + "-message", role: "status", "aria-live": "polite", hidden: true });
  const actions = el("div", { class: "form-actions start" }, save, reload, message);

  function loaded(data) {
    box.dataset.version = String(data.version);
    reload.hidden = true;
    show(data);
    dirty = false;
  }

  async function load() {
    try {
      loaded(await ctx.call(path));
    } catch (err) {
      notice(message, describeError(t, err), "error");
    }
  }

  async function submit(event) {
    if (event) event.preventDefault();
    // the version it was loaded at: a save by someone else in between is refused (409), not overwritten
    const body = { ...read(), version: Number(box.dataset.version) || null };
    const data = await saveWith(ctx, message, save, path, body, (err) => {
      if (err && err.status === 409) {
        reload.hidden = false; // what was typed stays on the page until the editor chooses to reload
        return t("edStale") + err.message;
      }
      return explain(err);
    });
    if (!data) return null;
    loaded(data);
    const text = saved(data);
    if (text) notice(message, text, "success");
    return data;
  }

  reload.addEventListener("click", async () => {
    if (dirty && !confirm(t("edDiscardDoc"))) return;
    await load();
    notice(message, "", null);
  });
  form.addEventListener("input", () => (dirty = true));
  form.addEventListener("submit", submit);
  save.addEventListener("click", (event) => {
    if (save.form !== form) submit(event); // placed outside the form: a click submits all the same
  });
  return { actions, load, save: submit, message, touch: () => (dirty = true) };
}
