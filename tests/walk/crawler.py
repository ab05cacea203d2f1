"""Walk the portal by its own links, as a person with a mouse would, with Django's test client.

From the home page, follow every `<a href>` and submit every GET form (with the values the form
shows) that stays within the portal; record, without sending them, the forms that POST. Links
into the Django admin, to log out or to switch the language are recorded and not followed
(NOT_FOLLOWED), so that the walk goes on as the same person in the same language.

A page's URL pattern stands for the page; to keep a walk short, a URL with a query string
(sorting and filtering links) is visited once per pattern and set of query keys, not once per
object, and URLs that differ only in a SAMPLED argument (one question of many) once.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

# URL arguments whose every value shows the same page for another item: one is enough. Exports
# are downloads built by the code tests/reports/test_exports.py covers: each kind once per walk.
SAMPLED = frozenset({"key", "revision", "attachment_id", "comment_id"})
SAMPLED_IN = {"cycle_export_download": frozenset({"slug", "fmt"})}
PORTAL_HOSTS = frozenset({"", "testserver"})
MAX_PAGES = 3000  # a walk that goes further is lost in a loop of ever-new URLs
# Reached when linked, never requested: the admin is Django's, and a link that logged out or
# switched the language (both are POST forms today) would end the walk or change its language.
NOT_FOLLOWED = frozenset({"admin", "logout", "set_language"})


# --- Reading a page ------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    button: tuple[str, str] | None = None  # the first named submit button


class PageParser(HTMLParser):
    """The links and forms of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {name: (value or "") for name, value in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(method=(a.get("method") or "get").lower(), action=a.get("action", ""))
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                self._form.button = self._form.button or (a["name"], a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("file", "reset", "button"):
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form.button = self._form.button or (a["name"], a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form.fields.append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [value for value, selected in self._options if selected] or [
                value for value, _selected in self._options[:1]
            ]
            self._form.fields.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# --- Where a URL goes ----------------------------------------------------------------------------


def pattern_name(path: str) -> str | None:
    """The URL pattern's name ("admin" for anything in the admin); None when nothing matches."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespaces and match.namespaces[0] == "admin":
        return "admin"
    return match.url_name or match.route


def _is_static(path: str) -> bool:
    return any(
        prefix and path.startswith(prefix)
        for prefix in ("/" + settings.STATIC_URL.lstrip("/"), settings.MEDIA_URL)
    )


def portal_url(base: str, href: str) -> str | None:
    """`href` as a path and query within the portal, or None for other sites, e-mail addresses,
    anchors on the same page and static files."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, href))
    if parts.scheme not in ("http", "https") or parts.netloc not in PORTAL_HOSTS | {"testserver"}:
        return None
    if _is_static(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def visit_key(url: str):
    """Which visit a URL stands for (see the module's docstring)."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return (parts.path,)
    name = match.url_name or match.route
    keys = frozenset(key for key, _value in parse_qsl(parts.query, keep_blank_values=True))
    if keys:
        # Sorting and filtering links: each kind once per pattern, not once per object.
        return (name, keys)
    sampled = SAMPLED | SAMPLED_IN.get(name, frozenset())
    args = tuple(
        sorted((key, "*" if key in sampled else str(value)) for key, value in match.kwargs.items())
    )
    return (name, match.args, args)


# --- The walk ------------------------------------------------------------------------------------


@dataclass
class Walk:
    role: str
    language: str
    # pattern name → the URLs of it that were visited (GET) and answered below 400
    reached: dict[str, list[str]] = field(default_factory=dict)
    # pattern name → a page with a form that posts to it
    posted: dict[str, str] = field(default_factory=dict)
    # (the page that links, the URL, what came back)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    # URL → HTML of every page visited that answered 200 with HTML
    pages: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def reaches(self, name: str) -> bool:
        return name in self.reached or name in self.posted

    def where(self, name: str) -> str:
        if name in self.reached:
            return self.reached[name][0]
        return f"a form on {self.posted[name]}"


def walk(client, *, role: str, language: str, start: str = "/") -> Walk:
    """Walk from `start` with a logged-in (or anonymous) test client."""
    began = time.perf_counter()
    result = Walk(role=role, language=language)
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen: set = set()
    while queue:
        url, referrer = queue.popleft()
        key = visit_key(url)
        if key in seen:
            continue
        seen.add(key)
        if len(seen) > MAX_PAGES:
            raise AssertionError(f"more than {MAX_PAGES} pages: is a link making new URLs?")
        name = pattern_name(urlsplit(url).path)
        if name in NOT_FOLLOWED:
            result.reached.setdefault(name, []).append(url)
            continue
        try:
            response = client.get(url)
        except Exception as error:  # noqa: BLE001 — a crash is what the walk is looking for
            result.errors.append((referrer, url, f"raised {error!r}"[:300]))
            continue
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, which closes the file
        if response.status_code >= 400:
            result.errors.append((referrer, url, str(response.status_code)))
            continue
        if name is not None:
            result.reached.setdefault(name, []).append(url)
        if response.status_code in (301, 302, 303, 307, 308):
            target = portal_url(url, response["Location"])
            if target is not None:
                queue.append((target, referrer))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode(response.charset or "utf-8")
        result.pages[url] = html
        parser = PageParser()
        parser.feed(html)
        for href in parser.links:
            target = portal_url(url, href)
            if target is not None:
                queue.append((target, url))
        for form in parser.forms:
            target = portal_url(url, form.action or url)
            if target is None:
                continue
            if form.method == "post":
                posted = pattern_name(urlsplit(target).path) or urlsplit(target).path
                result.posted.setdefault(posted, url)
            else:
                fields = form.fields + ([form.button] if form.button else [])
                query = urlencode(fields)
                queue.append((urlsplit(target).path + (f"?{query}" if query else ""), url))
    result.seconds = time.perf_counter() - began
    return result
