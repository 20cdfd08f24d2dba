"""Activity bodies are HTML from users (typed, pasted from mail, sent by API): only a small safe subset is kept."""

import re
from html import unescape

import nh3
from django.utils.html import linebreaks, strip_tags

TAGS = {
    "p", "br", "div", "span", "b", "strong", "i", "em", "u", "s", "strike", "sub", "sup", "mark", "small",
    "ul", "ol", "li", "blockquote", "pre", "code", "h1", "h2", "h3", "h4", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "a",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
TAG_PATTERN = re.compile(r"<[a-zA-Z/!]")


def sanitize_body(value: str) -> str:
    """Safe HTML for display: plain text keeps its line breaks; HTML keeps only harmless tags and links.

    Images are dropped (a remote image is a tracking pixel), as are scripts, event handlers, styles and any
    URL scheme but http(s), mailto and tel.
    """
    text = (value or "").strip()
    if not text:
        return ""
    if not TAG_PATTERN.search(text):
        text = linebreaks(text, autoescape=True)
    return nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def body_text(value: str) -> str:
    """The body as plain text (calendar descriptions, exports)."""
    text = re.sub(r"<br\s*/?>|</p>|</div>|</li>", "\n", value or "", flags=re.IGNORECASE)
    return re.sub(r"\n{3,}", "\n\n", unescape(strip_tags(text))).strip()
