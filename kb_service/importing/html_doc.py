"""HTML pages to one guide whose body is simple Markdown."""

from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from kb_service.importing.markdown_doc import file_stem
from kb_service.importing.markdown_out import markdown_table, squash
from kb_service.importing.records import ParseContext
from kb_service.importing.sniff import UndecodableText, declared_html_charset, decode_text

DROP = {"script", "style", "nav", "noscript", "template", "head", "iframe", "svg", "button", "select"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BLOCKS = {
    *HEADINGS, "p", "div", "section", "article", "main", "header", "footer", "aside", "ul", "ol", "li",
    "table", "pre", "blockquote", "hr", "figure", "figcaption", "dl", "dt", "dd", "form", "details",
    "summary", "address", "fieldset",
}  # fmt: skip
_BLOCK_NAMES = sorted(BLOCKS)


def _inline_tag(tag: Tag) -> str:
    if tag.name in DROP:
        return ""
    if tag.name == "br":
        return "\n"
    inner = inline_text(tag)
    if tag.name in BLOCKS:
        return "\n" + inner + "\n"
    wrap = {"strong": "**", "b": "**", "code": "`"}.get(tag.name, "")
    return f"{wrap}{inner.strip()}{wrap}" if wrap and inner.strip() else inner


def inline_text(node: Tag) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, Tag):
            parts.append(_inline_tag(child))
        elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
            parts.append(str(child))
    return "".join(parts)


def _list_block(node: Tag) -> str:
    ordered = node.name == "ol"
    start_attr = str(node.get("start", ""))
    start = int(start_attr) if ordered and start_attr.isdigit() else 1
    lines: list[str] = []
    for number, item in enumerate(node.find_all("li", recursive=False), start=start):
        prefix = f"{number}. " if ordered else "- "
        inner = "\n".join(render(item)).split("\n") or [""]
        lines.append(prefix + inner[0])
        lines.extend(" " * len(prefix) + line if line else "" for line in inner[1:])
    return "\n".join(line for line in lines if line.strip())


def _table_block(node: Tag) -> str:
    rows = [tr for tr in node.find_all("tr") if tr.find_parent("table") is node]
    return markdown_table(
        [[inline_text(c) for c in tr.find_all(["td", "th"], recursive=False)] for tr in rows]
    )


def _block(node: Tag) -> list[str]:
    name = node.name
    if name in HEADINGS:
        text = squash(inline_text(node)).replace("\n", " ")
        return [f"{'#' * HEADINGS[name]} {text}"] if text else []
    if name in ("ul", "ol"):
        return [_list_block(node)]
    if name == "table":
        return [_table_block(node)]
    if name == "pre":
        return ["```\n" + node.get_text().strip("\n") + "\n```"]
    if name == "hr":
        return ["---"]
    if name == "blockquote":
        return ["\n".join("> " + line for line in "\n\n".join(render(node)).split("\n"))]
    return render(node)


def render(node: Tag) -> list[str]:
    """Markdown blocks (paragraphs, headings, lists, tables) of an element's content."""
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = squash("".join(buffer))
        buffer.clear()
        if text:
            blocks.append(text)

    for child in node.children:
        if isinstance(child, Tag) and child.name in BLOCKS:
            flush()
            blocks.extend(b for b in _block(child) if b)
        elif isinstance(child, Tag) and child.name not in DROP and child.find(_BLOCK_NAMES):
            flush()
            blocks.extend(render(child))
        elif isinstance(child, Tag):
            buffer.append(_inline_tag(child))
        elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
            buffer.append(str(child))
    flush()
    return blocks


def html_article(file: str, text: str) -> dict[str, str]:
    soup = BeautifulSoup(text, "html.parser")
    page_title = " ".join(soup.title.get_text().split()) if soup.title else ""
    for tag in soup.find_all(sorted(DROP)):
        tag.decompose()
    h1 = soup.find("h1")
    title = " ".join(h1.get_text().split()) if isinstance(h1, Tag) else ""
    if title and isinstance(h1, Tag):
        h1.decompose()
    root = soup.body or soup
    return {
        "type": "guide",
        "title": title or page_title or file_stem(file),
        "body": "\n\n".join(render(root)),
    }


def parse_html(ctx: ParseContext, file: str, content: bytes) -> None:
    try:
        data = html_article(file, decode_text(content, declared=declared_html_charset(content)))
    except UndecodableText as exc:
        ctx.problem(file, str(exc))
        return
    except RecursionError:
        ctx.problem(file, "HTML is nested too deeply to read")
        return
    ctx.add(file, 1, data)
