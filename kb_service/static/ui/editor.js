// Editor console shell: session and role, KB language, tabs, and the wiring between the parts (list →
// form → history / "test it"; upload and review → list; dictionary, catalogue and small-talk replies
// for editors, settings for admins). Each part lives in its own editor_*.js module.
import { api, clearSession, el, loginUrl, requireSession } from "./common.js";
import { createCatalogue } from "./editor_catalogue.js";
import { createForm } from "./editor_form.js";
import { createHistory } from "./editor_history.js";
import { createList } from "./editor_list.js";
import { createReplies } from "./editor_replies.js";
import { createReview } from "./editor_review.js";
import { createDictionary, createSettings } from "./editor_settings.js";
import { describeError, editorTranslator, notice } from "./editor_text.js";
import { createTestIt } from "./editor_testit.js";
import { createUpload } from "./editor_upload.js";

const EDITOR_ROLES = ["editor", "admin"];
const $ = (id) => document.getElementById(id);
const session = requireSession();
const kbPath = session ? "/v1/kbs/" + encodeURIComponent(session.kb || "default") : "";

/** What every part shares: the language, the role, the KB settings and API calls under the KB. */
const ctx = {
  t: editorTranslator("zh"),
  role: "",
  isAdmin: false,
  settings: null,
  categories: [],
  call: (path, options) => api(session.key, kbPath + path, options),
  key: session ? session.key : "",
  kbPath,
};

function showError(err) {
  const box = $("status");
  box.replaceChildren(describeError(ctx.t, err));
  if (err && err.status === 401) {
    const link = el("a", { href: loginUrl("/ui/editor"), class: "relogin", text: ctx.t("relogin") });
    link.addEventListener("click", () => clearSession());
    box.append(" ", link);
  }
  box.hidden = false;
}

function applyLanguage(profile) {
  const t = (ctx.t = editorTranslator(profile.language));
  document.documentElement.lang = profile.language === "en" ? "en" : "zh";
  document.title = "kbsearch · " + t("edTitle");
  $("page-title").textContent = t("edTitle");
  $("kb-name").textContent = profile.name || profile.slug || "";
  $("logout").textContent = t("logout");
  for (const button of $("tabs").querySelectorAll("button")) button.textContent = t("edTab_" + button.dataset.view);
}

function showView(name) {
  for (const button of $("tabs").querySelectorAll("button")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === name));
  }
  for (const view of document.querySelectorAll("main.view")) view.hidden = view.id !== "view-" + name;
  document.body.dataset.view = name;
}

/** Admin-only tabs; the review tab only while the KB asks for review. */
function applyRole() {
  for (const button of $("tabs").querySelectorAll(".admin-only")) button.hidden = !ctx.isAdmin;
  const review = $("tabs").querySelector('[data-view="review"]');
  review.hidden = !(ctx.isAdmin && ctx.settings.require_review);
}

function wire() {
  // Leaving an article with unsaved changes asks first.
  const mayLeave = () => !form.isDirty() || confirm(ctx.t("edDiscard"));
  const list = createList(ctx, {
    onOpen: (id) => mayLeave() && form.open(id),
    onNew: (type) => mayLeave() && form.create(type),
  });
  const testit = createTestIt(ctx, $("testit"));
  const history = createHistory(ctx, $("history"), { onRestored: (article) => form.show(article) });
  const form = createForm(ctx, $("article-form"), {
    message: (text, kind) => notice($("form-message"), text, kind),
    onShown: (article) => {
      $("editor-panel").hidden = false;
      testit.prepare(article);
      history.show(article);
    },
    onSaved: () => list.reload(),
    onPublished: (article) => testit.run(article),
  });
  createUpload(ctx, $("upload"), { onImported: () => list.reload() });
  createDictionary(ctx, $("dictionary"));
  createCatalogue(ctx, $("catalogue"));
  createReplies(ctx, $("replies"), { onSaved: (settings) => (ctx.settings = settings) });
  if (ctx.isAdmin) {
    createSettings(ctx, $("settings"), {
      onSaved: (settings) => {
        ctx.settings = settings;
        ctx.categories = settings.categories;
        applyRole();
        form.refresh();
      },
    });
  }
  const review = createReview(ctx, $("review"), {
    onOpen: (id) => {
      if (!mayLeave()) return;
      showView("articles");
      form.open(id);
    },
    onApproved: () => list.reload(),
  });
  $("tabs").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-view]");
    if (!button) return;
    showView(button.dataset.view);
    if (button.dataset.view === "review") review.reload();
  });
  return list.reload();
}

async function start() {
  $("logout").addEventListener("click", () => {
    clearSession();
    location.assign(loginUrl("/ui/editor"));
  });
  try {
    const [profile, me] = await Promise.all([ctx.call("/profile"), api(session.key, "/v1/whoami")]);
    applyLanguage(profile);
    ctx.role = me.role;
    $("who").textContent = `${me.name} · ${me.role}`;
    if (!EDITOR_ROLES.includes(me.role)) {
      $("forbidden").textContent = ctx.t("edNeedsEditor") + me.role;
      $("forbidden").hidden = false;
      return;
    }
    ctx.isAdmin = me.role === "admin";
    ctx.settings = await ctx.call("/settings");
    ctx.categories = ctx.settings.categories || profile.categories || [];
    applyRole();
    $("tabs").hidden = false;
    showView("articles");
    await wire();
  } catch (err) {
    showError(err);
  } finally {
    document.body.classList.add("ready");
  }
}

if (session) start();
