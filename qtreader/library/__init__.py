"""The domain layer: parsing, the catalog and its search, user data. No Textual here."""

from .catalog import Catalog, CatalogError, RefreshReport, SearchHit, SearchResult, SubjectCount
from .models import Article, ArticleRow, LinkStatus, Problem, RelatedLink, Severity
from .parser import ParseResult, parse_bytes, parse_text, read_article

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
