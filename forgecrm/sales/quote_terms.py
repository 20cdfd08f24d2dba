"""A quote's terms are rich text from an editor, shown on the page and printed on the PDF.

They are reduced with nh3 to formatting, lists, tables and links: no images, styles, scripts, frames or
objects, so a term can never make the PDF renderer load a local file or an internal URL (the platform's PDF
fetcher refuses those too: two lines of defence)."""

import nh3

TERMS_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "ul", "ol", "li", "h4", "h5", "blockquote"}
    | {"table", "thead", "tbody", "tr", "th", "td", "a", "hr", "span"}
)
TERMS_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
MAX_TERMS_LENGTH = 20_000


def sanitize_terms(html: str) -> str:
    if not html:
        return ""
    return nh3.clean(
        html[:MAX_TERMS_LENGTH],
        tags=set(TERMS_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in TERMS_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()
