"""Small Markdown writers shared by the HTML and DOCX converters."""

from __future__ import annotations


def squash(text: str) -> str:
    """Collapse runs of spaces within each line and drop empty lines."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def markdown_table(rows: list[list[str]]) -> str:
    """A pipe table; the first row is the header. Cell line breaks become spaces, pipes are escaped."""
    cells = [[" ".join(c.split()).replace("|", "\\|") for c in row] for row in rows]
    cells = [row for row in cells if any(row)]
    if not cells:
        return ""
    width = max(len(row) for row in cells)
    lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in cells]
    lines.insert(1, "| " + " | ".join(["---"] * width) + " |")
    return "\n".join(lines)


def join_blocks(blocks: list[tuple[bool, str]]) -> str:
    """Join (is_list_item, text) blocks: list items by a line break, everything else by a blank line."""
    out: list[str] = []
    previous_item = False
    for is_item, text in blocks:
        if out:
            out.append("\n" if is_item and previous_item else "\n\n")
        out.append(text)
        previous_item = is_item
    return "".join(out)
