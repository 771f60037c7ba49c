"""HTML inside Markdown (blog posts, a few answers), turned into Markdown."""

from __future__ import annotations

from .converter import html_to_markdown, may_hold_html

__all__ = ["html_to_markdown", "may_hold_html"]
