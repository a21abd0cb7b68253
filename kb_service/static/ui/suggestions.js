// One card per suggested article: title, matched question, highlighted snippet, reply with Copy,
// helpful / not helpful. Everything from the API is inserted as text; the snippet's <em> marks become
// <mark> elements built with the DOM, its other text is entity-decoded and added as text nodes.
import { el } from "./common.js";

const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

export function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] !== "#") return NAMED[name.toLowerCase()] ?? whole;
    const hex = name[1] === "x" || name[1] === "X";
    const code = parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10);
    try {
      return String.fromCodePoint(code);
    } catch {
      return whole;
    }
  });
}

/** The snippet as nodes: odd parts between <em> and </em> are marked. */
export function snippetNodes(snippet) {
  return String(snippet || "")
    .split(/<\/?em>/)
    .map((part, i) => {
      const text = decodeEntities(part);
      return i % 2 ? el("mark", { text }) : document.createTextNode(text);
    });
}

function feedbackButtons(t, onFeedback) {
  const status = el("span", { class: "muted small feedback-status" });
  const good = el("button", { type: "button", class: "feedback helpful", "aria-pressed": "false" }, t("helpful"));
  const bad = el("button", { type: "button", class: "feedback not-helpful", "aria-pressed": "false" }, t("notHelpful"));
  const send = async (button, event) => {
    good.disabled = bad.disabled = true;
    button.setAttribute("aria-pressed", "true");
    if (await onFeedback(event)) status.textContent = t("thanks");
    else {
      good.disabled = bad.disabled = false;
      button.setAttribute("aria-pressed", "false");
    }
  };
  good.addEventListener("click", () => send(good, "helpful"));
  bad.addEventListener("click", () => send(bad, "not_helpful"));
  return el("div", { class: "actions" }, good, bad, status);
}

function replyBlock(t, reply, onCopy) {
  if (!reply) return el("p", { class: "muted small no-reply", text: t("noReply") });
  const button = el("button", { type: "button", class: "copy primary" }, t("copy"));
  button.addEventListener("click", () => onCopy());
  return el(
    "div",
    { class: "reply" },
    el("div", { class: "reply-head" }, el("span", { class: "label", text: t("reply") }), button),
    el("p", { class: "reply-text", text: reply.text }),
  );
}

/**
 * Builds the card of one article.
 * @returns {{node: HTMLElement, article: object, reply: object|null, copyButton: HTMLElement|null}}
 */
export function buildCard(t, article, reply, handlers) {
  const head = el(
    "div",
    { class: "card-head" },
    el("span", { class: "badge " + article.type, text: t(article.type) }),
    el("h3", { class: "title", text: article.title }),
  );
  const matched =
    article.matched_question && article.matched_question !== article.title
      ? el(
          "p",
          { class: "matched" },
          el("span", { class: "label", text: t("matched") + t("sep") }),
          article.matched_question,
        )
      : null;
  const tags = [article.category, ...(article.products || [])].filter(Boolean).join(" · ");
  const node = el(
    "li",
    { class: "suggestion", tabindex: "-1", "data-article-id": article.article_id },
    head,
    tags ? el("p", { class: "muted small tags", text: tags }) : null,
    matched,
    el("p", { class: "snippet" }, ...snippetNodes(article.snippet)),
    replyBlock(t, reply, handlers.onCopy),
    feedbackButtons(t, handlers.onFeedback),
  );
  node.addEventListener("click", (event) => {
    if (!(event.target instanceof HTMLButtonElement)) handlers.onSelect();
  });
  return { node, article, reply, copyButton: node.querySelector("button.copy") };
}
