// Form widgets of the article form: labelled fields, the editable list of similar questions, the
// per-channel answers, and conversions between API values and input values.
import { el } from "./common.js";

/** A label above its control; `id` ties them together for screen readers and tests. */
export function field(label, control, extraClass = "") {
  return el("div", { class: ("field " + extraClass).trim() }, el("label", { for: control.id, text: label }), control);
}

/** The KB's categories, plus the article's own if the settings have dropped it since. */
export function categorySelect(categories, value) {
  const names = [...categories];
  if (value && !names.includes(value)) names.push(value);
  const options = names.map((name) => el("option", { value: name, text: name }));
  const select = el("select", { id: "f-category" }, el("option", { value: "", text: "—" }), ...options);
  select.value = value || "";
  return select;
}

/** "a, b；c" → ["a", "b", "c"]: comma / semicolon separated (ASCII or full width), blanks dropped. */
export function splitList(text) {
  return String(text || "").split(/[,，;；、]/).map((s) => s.trim()).filter(Boolean);
}

/** An ISO timestamp from the API as a datetime-local value (local time), or "". */
export function toLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

/** A datetime-local value as an ISO timestamp for the API, or null when empty. */
export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

/** Similar questions as an editable list: one input per question, remove buttons, an add button. */
export function similarList(t, values, onChange) {
  const list = el("ol", { id: "f-similar", class: "similar-list" });
  const add = el("button", { type: "button", id: "f-similar-add", class: "link", text: "+ " + t("edAddSimilar") });

  function item(value) {
    const input = el("input", { type: "text", class: "similar-input", spellcheck: "false", "aria-label": t("edSimilar") });
    input.value = value;
    const remove = el("button", { type: "button", class: "similar-remove link", title: t("edRemove"), "aria-label": t("edRemove"), text: "✕" });
    const li = el("li", {}, input, remove);
    remove.addEventListener("click", () => {
      li.remove();
      onChange();
    });
    input.addEventListener("keydown", (event) => {
      // Enter in the last question adds the next one instead of submitting the form.
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault();
      if (li === list.lastElementChild && input.value.trim()) append("").focus();
    });
    return li;
  }

  function append(value) {
    const li = item(value);
    list.append(li);
    return li.querySelector("input");
  }

  for (const value of values) append(value);
  add.addEventListener("click", () => {
    append("").focus();
    onChange();
  });
  const node = el("div", { class: "field" }, el("label", { for: "f-similar", text: t("edSimilar") }), list, add);
  const read = () => [...list.querySelectorAll("input")].map((input) => input.value.trim()).filter(Boolean);
  return { node, values: read };
}

/** One optional answer per channel of the KB, in a collapsible block (open when any is filled in). */
export function channelAnswers(t, channels, values) {
  const areas = channels.map((channel) => {
    const area = el("textarea", { id: "f-channel-" + channel, rows: "2", "data-channel": channel });
    area.value = values[channel] || "";
    return area;
  });
  const fields = areas.map((area) => field(t(area.dataset.channel), area, "channel-answer"));
  const details = el(
    "details",
    { id: "f-channels", class: "channel-answers", open: Object.keys(values).length > 0 },
    el("summary", { text: t("edChannelAnswers") }),
    el("p", { class: "muted small", text: t("edChannelHint") }),
    ...fields,
  );
  const read = () => {
    const out = {};
    for (const area of areas) if (area.value.trim()) out[area.dataset.channel] = area.value.trim();
    return out;
  };
  return { node: details, values: read };
}

/** Marks `control` as the cause of an API error: aria-invalid, and the message right below it. */
export function markInvalid(control, text) {
  control.setAttribute("aria-invalid", "true");
  let note = control.nextElementSibling;
  if (!note || !note.classList.contains("field-error")) {
    note = el("p", { class: "field-error", id: control.id ? control.id + "-error" : null, role: "alert" });
    control.after(note);
  }
  note.textContent = note.textContent ? note.textContent + " " + text : text;
  if (note.id) control.setAttribute("aria-describedby", note.id);
}

/** Takes back every mark `markInvalid` left inside `box`. */
export function clearInvalid(box) {
  for (const note of box.querySelectorAll(".field-error")) note.remove();
  for (const control of box.querySelectorAll('[aria-invalid="true"]')) {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  }
}
