// The KB's product catalogue as an editable table (name, series, aliases as comma / 、 separated text),
// with a filter box, add / remove rows, and the dictionary's compare-and-set save (editor_saving.js).
// A 422 names fields by path ("products[3].aliases[1]", or pydantic's "body.products.3.name"): the row
// and input at fault are marked with the API's message beside them.
import { el } from "./common.js";
import { clearInvalid, markInvalid, splitList } from "./editor_fields.js";
import { versionedDocument } from "./editor_saving.js";

/** "products[3].aliases[1]" / "body.products.3.aliases.1" → { index: 3, field: "aliases" }, else null. */
export function productPath(path) {
  const m = /^(?:body\.)?products(?:\[(\d+)\]|\.(\d+))(?:\.(name|series|aliases))?/.exec(String(path || ""));
  return m ? { index: Number(m[1] ?? m[2]), field: m[3] || "name" } : null;
}

// What the filter compares: case, full / half width and spaces do not matter, as in the API.
const fold = (text) => String(text || "").normalize("NFKC").toLowerCase().replace(/\s+/g, "");

export function createCatalogue(ctx, box) {
  const t = ctx.t;
  let seq = 0; // ids for the inputs of each row, so every error note is tied to its input
  let sent = []; // the rows of the last save, by their index in `products`

  const body = el("tbody");
  const table = el(
    "table",
    { id: "catalogue-table", class: "data" },
    el(
      "thead",
      {},
      el("tr", {}, el("th", { text: t("edCatName") }), el("th", { text: t("edCatSeries") }), el("th", { text: t("edCatAliases") }), el("th", {}, el("span", { class: "sr-only", text: t("edRemove") }))),
    ),
    body,
  );
  const form = el("form", { id: "catalogue-form", class: "catalogue-scroll", autocomplete: "off" }, table);
  const filter = el("input", { id: "cat-filter", type: "search", spellcheck: "false", placeholder: t("edCatFilterHint") });
  const add = el("button", { type: "button", id: "cat-add", text: "+ " + t("edCatAdd") });
  const count = el("span", { id: "cat-count", class: "muted small" });
  const version = el("p", { id: "cat-version", class: "muted small" });

  function row(product) {
    const n = ++seq;
    const input = (name, value, label) => {
      const node = el("input", { type: "text", id: `cat-${n}-${name}`, class: "cat-" + name, spellcheck: "false", "aria-label": label });
      node.value = value || "";
      return node;
    };
    const name = input("name", product.name, t("edCatName"));
    const remove = el("button", { type: "button", class: "link cat-remove", text: "✕", title: t("edRemove"), "aria-label": t("edRemove") });
    const tr = el(
      "tr",
      { class: "cat-row" },
      el("td", {}, name),
      el("td", {}, input("series", product.series, t("edCatSeries"))),
      el("td", {}, input("aliases", (product.aliases || []).join(", "), t("edCatAliases"))),
      el("td", {}, remove),
    );
    // the remove button says which product it removes, for screen readers
    const label = () => remove.setAttribute("aria-label", `${t("edRemove")} ${name.value.trim()}`.trim());
    name.addEventListener("input", label);
    label();
    remove.addEventListener("click", () => {
      tr.remove();
      doc.touch();
      counted();
    });
    return tr;
  }

  const rows = () => [...body.querySelectorAll("tr.cat-row")];
  const value = (tr, name) => tr.querySelector(".cat-" + name).value.trim();

  function counted() {
    const all = rows();
    const shown = all.filter((tr) => !tr.hidden).length;
    count.textContent = shown === all.length ? t("edCatCount").replace("{n}", all.length) : t("edCatShown").replace("{shown}", shown).replace("{n}", all.length);
  }

  function applyFilter() {
    const q = fold(filter.value);
    for (const tr of rows()) tr.hidden = Boolean(q) && !fold(["name", "series", "aliases"].map((f) => value(tr, f)).join("|")).includes(q);
    counted();
  }

  function read() {
    clearInvalid(body);
    for (const tr of body.querySelectorAll("tr.row-error")) tr.classList.remove("row-error");
    sent = rows().filter((tr) => value(tr, "name") || value(tr, "series") || value(tr, "aliases")); // blank rows are dropped
    return { products: sent.map((tr) => ({ name: value(tr, "name"), series: value(tr, "series") || null, aliases: splitList(value(tr, "aliases")) })) };
  }

  /** Marks every input a 422 names; the rows at fault are shown even when the filter hid them. */
  function explain(err) {
    const marked = [];
    for (const detail of (err && err.status === 422 && err.details) || []) {
      const at = productPath(detail.field);
      const tr = at && sent[at.index];
      if (!tr) continue;
      const control = tr.querySelector(".cat-" + at.field);
      markInvalid(control, detail.message);
      tr.classList.add("row-error");
      marked.push(control);
    }
    if (!marked.length) return null;
    if (marked.some((control) => control.closest("tr").hidden)) {
      filter.value = "";
      applyFilter();
    }
    marked[0].scrollIntoView({ block: "center" });
    marked[0].focus();
    return t("edRowErrors").replace("{n}", marked.length) + err.message;
  }

  const doc = versionedDocument(ctx, box, form, {
    path: "/catalogue",
    prefix: "cat",
    show: (data) => {
      body.replaceChildren(...data.products.map(row));
      version.textContent = t("edCatVersion").replace("{v}", data.version);
      applyFilter();
    },
    read,
    explain,
    saved: (data) => t("edCatSaved").replace("{v}", data.version),
  });

  filter.addEventListener("input", applyFilter);
  add.addEventListener("click", () => {
    filter.value = ""; // a new, empty row would not match the filter
    applyFilter();
    const tr = row({});
    body.append(tr);
    doc.touch();
    counted();
    tr.querySelector(".cat-name").focus();
  });

  box.replaceChildren(
    el("h2", { text: t("edCatalogue") }),
    el("p", { class: "muted small", text: t("edCatHint") }),
    version,
    el("div", { class: "catalogue-bar" }, el("label", { for: "cat-filter", text: t("edCatFilter") }), filter, add, count),
    form,
    doc.actions,
  );
  doc.load();
}
