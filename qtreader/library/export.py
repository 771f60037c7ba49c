"""Articles as Markdown, for ``qtreader show`` and for copying from the reader."""

from __future__ import annotations

from .models import Article
from .text import clean_line


def article_markdown(article: Article) -> str:
    """The article as Markdown: title, metadata line, answer, links with their status."""
    meta = article.meta_line
    lines = [f"# {article.title}", "", f"*{meta}*" if meta else "", ""]
    if article.question and article.question != article.title:
        lines += [f"> {article.question}", ""]
    lines += [article.answer.strip(), ""]
    if article.keywords:
        lines += [f"Keywords: {article.keywords}", ""]
    if article.links:
        lines += ["## Related", ""]
        for link in article.links:
            # A key can be a file path, and a file name can hold control characters.
            where = clean_line(link.target_key) if link.target_key else "not in this library"
            lines.append(f"- {link.label} ({where})")
        lines.append("")
    if article.backlinks:
        lines += ["## Referenced by", ""]
        lines += [
            f"- {link.label} ({clean_line(link.target_key or '')})" for link in article.backlinks
        ]
        lines.append("")
    return "\n".join(lines)


def article_link(article: Article, base_url: str | None) -> str:
    """The article's address: absolute when a base URL is configured."""
    if article.url and base_url:
        return base_url.rstrip("/") + "/" + article.url.lstrip("/")
    return article.url or article.key
