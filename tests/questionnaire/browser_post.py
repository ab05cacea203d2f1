"""What a browser posts for a piece of a rendered form, read from its HTML: used to post back the
type options' tables exactly as the admin page renders them (questionnaire/admin/options.py)."""

from __future__ import annotations

from html.parser import HTMLParser

from questionnaire.admin.options import TypeOptionsWidget


class _Fields(HTMLParser):
    """The successful controls of some HTML: text and hidden inputs, ticked boxes, text areas,
    selected options (no buttons: none is clicked)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((a["name"], a.get("value") or "on"))
                return
            self.pairs.append((a["name"], a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
        elif tag == "select" and a.get("name"):
            self._select, self._first_option, self._selected = a["name"], None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self.pairs.append((self._select, value))
                self._selected = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the one newline that may follow <textarea>.
            self.pairs.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._selected and self._first_option is not None:
                self.pairs.append((self._select, self._first_option))
            self._select = None


def posted_fields(html: str) -> dict[str, str]:
    """`{name: value}` that a browser would send for the controls in `html`."""
    parser = _Fields()
    parser.feed(str(html))
    parser.close()
    return dict(parser.pairs)


def options_post(options: dict, name: str = "options", question_type: str = "") -> dict[str, str]:
    """What the admin's type options widget posts, untouched, for `options`."""
    widget = TypeOptionsWidget()
    widget.question_type = question_type
    return posted_fields(widget.render(name, options, {"id": f"id_{name}"}))
