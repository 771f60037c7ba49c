"""The domain layer: parsing, the catalog and its search, user data. No Textual here."""

from typing import TYPE_CHECKING, Any

from .catalog import Catalog, CatalogError, RefreshReport, SearchHit, SearchResult, SubjectCount
from .models import Article, ArticleRow, LinkStatus, Problem, RelatedLink, Severity

if TYPE_CHECKING:
    from .parser import ParseResult, parse_bytes, parse_text, read_article

_PARSER_NAMES = ("ParseResult", "parse_bytes", "parse_text", "read_article")


def __getattr__(name: str) -> Any:
    # The parser (and PyYAML) load on first use: opening and searching a catalog,
    # which the reader does at launch, does not need them.
    if name in _PARSER_NAMES:
        from . import parser

        return getattr(parser, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Article",
    "ArticleRow",
    "Catalog",
    "CatalogError",
    "LinkStatus",
    "ParseResult",
    "Problem",
    "RefreshReport",
    "RelatedLink",
    "SearchHit",
    "SearchResult",
    "Severity",
    "SubjectCount",
    "parse_bytes",
    "parse_text",
    "read_article",
]
