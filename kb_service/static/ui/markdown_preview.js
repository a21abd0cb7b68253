// A small, safe Markdown renderer for the guide preview. It builds DOM nodes directly: the source is
// never parsed as HTML, so tags in it show up as text. Supports headings, paragraphs, ordered and
// unordered lists, block quotes, fenced code, rules, **bold**, *italic*, `code` and http(s) links.
import { el } from "./common.js";

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+?\*\*|__[^_\n]+?__)|(\*[^*\s][^*\n]*?\*|_[^_\s][^_\n]*?_)|(\[[^\]\n]+\]\([^)\s]+\))/g;
const SAFE_URL = /^(https?:\/\/|mailto:|\/(?!\/)|#)/i;

/** Inline Markdown of one line or paragraph as a list of nodes. */
export function inlineNodes(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const [whole, code, strong, em, link] = match;
    if (code) nodes.push(el("code", { text: code.slice(1, -1) }));
    else if (strong) nodes.push(el("strong", {}, ...inlineNodes(strong.slice(2, -2))));
    else if (em) nodes.push(el("em", {}, ...inlineNodes(em.slice(1, -1))));
    else if (link) nodes.push(linkNode(whole));
    last = match.index + whole.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

function linkNode(source) {
  const split = source.indexOf("](");
  const label = source.slice(1, split);
  const url = source.slice(split + 2, -1);
  if (!SAFE_URL.test(url)) return document.createTextNode(source); // javascript: and friends stay text
  return el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, ...inlineNodes(label));
}

const BLOCKS = {
  fence: /^\s*```/,
  heading: /^(#{1,6})\s+(.*?)\s*#*\s*$/,
  rule: /^\s*([-*_])(\s*\1){2,}\s*$/,
  ul: /^\s*[-*+]\s+(.*)$/,
  ol: /^\s*\d+[.)、]\s+(.*)$/,
  quote: /^\s*>\s?(.*)$/,
};

function startsBlock(line) {
  return !line.trim() || Object.values(BLOCKS).some((re) => re.test(line));
}

/** Markdown text → a DocumentFragment of block elements. */
export function renderMarkdown(source) {
  const lines = String(source || "").replace(/\r\n?/g, "\n").split("\n");
  const out = document.createDocumentFragment();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (!line.trim()) {
      i += 1;
    } else if (BLOCKS.fence.test(line)) {
      const code = [];
      for (i += 1; i < lines.length && !BLOCKS.fence.test(lines[i]); i += 1) code.push(lines[i]);
      i += 1;
      out.append(el("pre", {}, el("code", { text: code.join("\n") })));
    } else if ((m = BLOCKS.heading.exec(line))) {
      out.append(el("h" + m[1].length, {}, ...inlineNodes(m[2])));
      i += 1;
    } else if (BLOCKS.rule.test(line)) {
      out.append(el("hr"));
      i += 1;
    } else if (BLOCKS.ul.test(line) || BLOCKS.ol.test(line)) {
      const kind = BLOCKS.ul.test(line) ? "ul" : "ol";
      const list = el(kind);
      for (; i < lines.length && (m = BLOCKS[kind].exec(lines[i])); i += 1) list.append(el("li", {}, ...inlineNodes(m[1])));
      out.append(list);
    } else if (BLOCKS.quote.test(line)) {
      const quoted = [];
      for (; i < lines.length && (m = BLOCKS.quote.exec(lines[i])); i += 1) quoted.push(m[1]);
      out.append(el("blockquote", {}, renderMarkdown(quoted.join("\n"))));
    } else {
      const para = [line.trim()];
      for (i += 1; i < lines.length && !startsBlock(lines[i]); i += 1) para.push(lines[i].trim());
      out.append(el("p", {}, ...inlineNodes(para.join("\n"))));
    }
  }
  return out;
}
