"""What the journeys of tests/browser/test_journeys.py stand on: the data, a frozen clock, people
with their own browser, steps (and their screenshots for `make tour`), and doors.

Nothing here knows a page of the portal beyond the login form and the language switcher: every
click of a journey is written in the journey itself, so that a changed page changes one place.

Doors. A journey walks by clicks only, as people do. Where the portal lacks the link a person
would click (issue 11 lists them), the journey goes on the way today's pages allow (`fallback`)
and remembers the door as missing. DOORS says which doors are known to be missing: a journey
ends with MissingDoor when it met one of those (its test is marked xfail(strict, raises=
MissingDoor), so a journey that fails otherwise still fails), and fails outright when a door not
marked missing is missing, or when a door marked missing is there now (remove the mark).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from accounts.models import User
from questionnaire import services
from questionnaire.i18n import option_label, tr
from questionnaire.models import (
    Country,
    CountryRole,
    Membership,
    Question,
    QuestionnaireVersion,
    QuestionType,
    ReviewCycle,
    VersionStatus,
)

UTC = datetime.UTC
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"  # as conftest.py's
PASSWORD = "gcm-demo-2020"  # the demo's (README)
# `make tour` sets it: the folder the screenshots go to (docs/tour).
TOUR_DIR = Path(os.environ["GCM_TOUR_DIR"]) if os.environ.get("GCM_TOUR_DIR") else None
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# The administration is used on laptops: its journeys are pictured at two laptop widths.
LAPTOP_WIDTHS = {"laptop-1366": (1366, 900), "laptop-1280": (1280, 800)}
# A picture shows at most this much of a page (about two screens), from the top or around what
# the step is about: the committed pictures stay small.
MAX_HEIGHT = {"desktop": 1600, "phone": 1700, "laptop-1366": 1600, "laptop-1280": 1600}
STILL = ".portal-toc, .answering-toc { position: static !important; }"
# The journeys' day one: the demo's dates that follow the clock (the 2024 deadline) are
# computed from it, so that the pictures are the same on every run.
DAY_ONE = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def t(language: str, text: str, **values) -> str:
    """An interface text as the portal shows it in `language` (its catalogue, else English)."""
    with translation.override(language):
        translated = gettext(text)
        if translated == text and "%" in text:
            # A literal `{% translate %}` with a placeholder is looked up with "%" doubled.
            doubled = text.replace("%", "%%")
            translated = gettext(doubled).replace("%%", "%")
    return translated % values if values else translated


# --- The clock -----------------------------------------------------------------------------------


class Clock:
    """The portal's time, set by the journey: Django's `timezone.now` (and the models' defaults
    that hold it) on the server, `Date` in the browser. Each call moves it on by a millisecond,
    so that things done in one step keep their order."""

    def __init__(self, monkeypatch, start: datetime.datetime):
        self.now = start
        real = timezone.now
        monkeypatch.setattr(timezone, "now", self.tick)
        for model in apps.get_models():
            for model_field in model._meta.concrete_fields:
                if model_field.default is real:  # default=timezone.now, read at import time
                    monkeypatch.setattr(model_field, "_get_default", self.tick)
        self.contexts = []

    def tick(self) -> datetime.datetime:
        self.now += datetime.timedelta(milliseconds=1)
        return self.now

    def set(self, when: datetime.datetime) -> None:
        assert when >= self.now, "a journey's time only moves forward"
        self.now = when
        for context in self.contexts:
            context.clock.set_fixed_time(when)


# --- The data ------------------------------------------------------------------------------------

# A third cycle, answering version 3: version 2 and seven optional questions of the kinds the
# demo's questionnaire does not use, with their (unofficial) Arabic and French, so that the
# journeys answer every kind of question. (key, section, label, type, options, en, ar, fr)
CHOICE = QuestionType.SINGLE_CHOICE
EXTRA_QUESTIONS = [
    ("review-validation-date", "I", "i", QuestionType.DATE, {},
     "On what date was the national review validated?",
     "في أي تاريخ اعتُمد الاستعراض الوطني؟",
     "À quelle date l'examen national a-t-il été validé ?"),
    ("review-ministries-count", "I", "j", QuestionType.NUMBER, {"min": 0},
     "How many ministries took part in the review?",
     "كم عدد الوزارات التي شاركت في الاستعراض؟",
     "Combien de ministères ont pris part à l'examen ?"),
    ("review-published", "I", "k", QuestionType.YES_NO, {},
     "Has the national review been published?",
     "هل نُشر الاستعراض الوطني؟",
     "L'examen national a-t-il été publié ?"),
    ("resources-budget-line", "IV", "d", CHOICE, {"choices": [
        {"value": "dedicated", "label": "A dedicated budget line",
         "label_ar": "بند مخصص في الميزانية", "label_fr": "Une ligne budgétaire dédiée"},
        {"value": "ministries", "label": "Within each ministry's budget",
         "label_ar": "ضمن ميزانية كل وزارة", "label_fr": "Dans le budget de chaque ministère"},
        {"value": "none", "label": "No budget line",
         "label_ar": "لا يوجد بند في الميزانية", "label_fr": "Aucune ligne budgétaire"},
    ]},
     "Is there a budget line for implementing the Global Compact?",
     "هل يوجد بند في الميزانية لتنفيذ الاتفاق العالمي؟",
     "Existe-t-il une ligne budgétaire pour la mise en œuvre du Pacte mondial ?"),
    ("resources-sources", "IV", "e", QuestionType.MULTIPLE_CHOICE, {"choices": [
        {"value": "budget", "label": "National budget",
         "label_ar": "الميزانية الوطنية", "label_fr": "Budget national"},
        {"value": "cooperation", "label": "International cooperation",
         "label_ar": "التعاون الدولي", "label_fr": "Coopération internationale"},
        {"value": "un", "label": "United Nations agencies",
         "label_ar": "وكالات الأمم المتحدة", "label_fr": "Agences des Nations Unies"},
        {"value": "private", "label": "Private sector",
         "label_ar": "القطاع الخاص", "label_fr": "Secteur privé"},
    ]},
     "Where do the implementation resources come from?",
     "ما مصادر موارد التنفيذ؟",
     "D'où proviennent les ressources de mise en œuvre ?"),
    ("resources-partners", "IV", "f", QuestionType.ENTRY_LIST, {"columns": [
        {"key": "partner", "label": "Partner", "label_ar": "الشريك", "label_fr": "Partenaire"},
        {"key": "support", "label": "Support given",
         "label_ar": "الدعم المقدم", "label_fr": "Soutien apporté"},
    ]},
     "Which partners supported the implementation?",
     "ما الشركاء الذين دعموا التنفيذ؟",
     "Quels partenaires ont soutenu la mise en œuvre ?"),
    ("next-steps-contact", "V", "c", QuestionType.SHORT_TEXT, {},
     "Who is the contact person for the next review?",
     "من هو الشخص المسؤول عن الاتصال للاستعراض القادم؟",
     "Qui est la personne de contact pour le prochain examen ?"),
]  # fmt: skip
CYCLE_2026 = {
    "slug": "arab-2026",
    "name": "Mid-term review of the GCM in the Arab region",
    "opens_on": datetime.date(2026, 2, 1),
    "deadline": datetime.date(2026, 6, 30),
}
TUNISIA = {"username": "tunisia", "first_name": "Amira", "last_name": "Ben Salah"}


def journey_world() -> ReviewCycle:
    """The demo (`loaddemo`), Tunisia's focal point, version 3 and its 2026 cycle (every country
    takes part; nobody has started). Without the demo's invented Morocco 2024 review: Morocco
    starts from its 2020 answers, the journey's story."""
    call_command("loaddemo", verbosity=0, without_morocco_2024=True)
    tunisia = User.objects.create_user(
        email="tunisia.focal-point@example.org", password=PASSWORD, **TUNISIA
    )
    Membership.objects.create(
        user=tunisia, country=Country.objects.get(iso2="TN"), role=CountryRole.FOCAL_POINT
    )
    v2 = QuestionnaireVersion.objects.get(number=2, status=VersionStatus.PUBLISHED)
    v3 = services.questionnaire_version_create_draft(
        source=v2, notes="For the mid-term review, 2026: seven short questions added."
    )
    for key, number, label, kind, options, en, ar, fr in EXTRA_QUESTIONS:
        section = v3.sections.get(number=number)
        last = max(section.questions.values_list("order", flat=True), default=0)
        Question.objects.create(
            version=v3, section=section, key=key, label=label, type=kind, options=options,
            text=en, text_ar=ar, text_fr=fr, required=False, order=last + 1,
        )  # fmt: skip
    v3 = services.questionnaire_version_publish(version=v3)
    cycle = ReviewCycle.objects.create(version=v3, **CYCLE_2026)
    cycle.countries.add(*Country.objects.all())
    return cycle


# --- People, steps, doors ------------------------------------------------------------------------


class MissingDoor(Exception):  # noqa: N818 — what the journey met, not an error of the code
    """A journey met doors that DOORS marks as missing (see the module's docstring)."""


@dataclass(frozen=True)
class Door:
    what: str  # what a person expects to find
    missing: str = ""  # the issue, while the portal lacks it


def missing_doors(doors: dict[str, Door], *keys: str) -> list:
    """The marks for a journey test that meets these doors: xfail(strict, raises=MissingDoor)
    while any of them is marked missing."""
    reasons = [doors[key].missing for key in keys if doors[key].missing]
    if not reasons:
        return []
    reason = "; ".join(dict.fromkeys(reasons))
    return [pytest.mark.xfail(strict=True, raises=MissingDoor, reason=reason)]


@dataclass
class Person:
    username: str
    page: Page
    language: str


@dataclass
class Journey:
    """One journey in one language: its people, its clock, its steps and the doors it met."""

    name: str
    title: str
    browser: object
    base_url: str
    language: str
    clock: Clock
    doors: dict[str, Door]
    declared: tuple[str, ...] = ()  # the doors the test says it meets (its xfail mark)
    steps: list[dict] = field(default_factory=list)
    met: dict[str, bool] = field(default_factory=dict)
    log: list[tuple[str, bool]] = field(default_factory=list)  # doors in the order met
    people: list[Person] = field(default_factory=list)
    widths: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(WIDTHS))

    def t(self, text: str, **values) -> str:
        return t(self.language, text, **values)

    def country(self, iso2: str) -> str:
        """A country's name as the portal shows it in the journey's language."""
        with translation.override(self.language):
            return Country.objects.get(iso2=iso2).name

    def cycle(self, slug: str) -> str:
        """A review cycle's name as the portal shows it in the journey's language."""
        return tr(ReviewCycle.objects.get(slug=slug), "name", self.language)

    def tr_option(self, label: str) -> str:
        """The label of a choice or column of EXTRA_QUESTIONS in the journey's language."""
        for *_head, options, _en, _ar, _fr in EXTRA_QUESTIONS:
            for item in options.get("choices", []) + options.get("columns", []):
                if item["label"] == label:
                    return option_label(item, self.language)
        raise KeyError(label)

    def tx(self, text: str, **values) -> re.Pattern:
        """`t()` as a pattern: placeholders left out (`%(time)s` → any text)."""
        translated = self.t(text)
        parts = re.split(r"%\(\w+\)[sd]", translated)
        if values:
            return re.compile(re.escape(translated % values))
        return re.compile(".*".join(re.escape(part) for part in parts))

    # People

    def person(self, username: str, *, log_in: bool = True) -> Person:
        """Someone at their own browser; logged in through the login page (the one URL a
        journey types) unless `log_in` is False."""
        width, height = next(iter(self.widths.values()))
        context = self.browser.new_context(
            locale="en-GB" if self.language == "en" else self.language,
            timezone_id="UTC",
            viewport={"width": width, "height": height},
            # No smooth scrolling (Bootstrap's, unless the user asks for less motion): a picture
            # taken while the page still scrolls puts the sticky section list a few pixels off.
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        context.clock.set_fixed_time(self.clock.now)
        self.clock.contexts.append(context)
        who = Person(username=username, page=context.new_page(), language=self.language)
        self.people.append(who)
        if log_in:
            self.log_in(who)
        return who

    def log_in(self, who: Person, password: str = PASSWORD) -> None:
        page = who.page
        page.goto(f"{self.base_url}/accounts/login/")
        main = page.locator("main")
        main.get_by_label(self.t("Username")).fill(who.username)
        main.get_by_label(self.t("Password")).fill(password)
        main.get_by_role("button", name=self.t("Log in")).click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        self.speak_own_language(who)
        expect(page.get_by_role("button", name=self.t("Log out"))).to_be_visible()

    def speak_own_language(self, who: Person) -> None:
        """The language switcher, when the page is not in the journey's language (a user's
        choice is saved: once is enough)."""
        if who.page.locator("html").get_attribute("lang") != self.language:
            # Its name is in the page's language, which is not (yet) the journey's.
            names = [t(code, "Language") for code, _name in django_settings.LANGUAGES]
            switcher = who.page.get_by_role("form", name=re.compile("|".join(names)))
            name = translation.get_language_info(self.language)["name_local"]
            switcher.get_by_role("button", name=name, exact=True).click()
            expect(who.page.locator("html")).to_have_attribute("lang", self.language)

    def leave(self, who: Person) -> None:
        self.clock.contexts.remove(who.page.context)
        who.page.context.close()

    def close(self) -> None:
        for context in list(self.clock.contexts):
            context.close()
        self.clock.contexts.clear()

    def at(self, when: str) -> None:
        """The clock moves on: "2026-03-02 10:00" (UTC)."""
        self.clock.set(datetime.datetime.fromisoformat(when).replace(tzinfo=UTC))

    # Steps

    @contextmanager
    def step(self, who: Person, slug: str, title: str, *, focus=None):
        """A step of the journey: what `who` does in the block, then (for `make tour`) their
        page at desktop and phone width, from the top or around `focus` (a locator)."""
        number = len(self.steps) + 1
        first = len(self.log)
        yield
        who.page.wait_for_load_state("load")
        entry = {"number": number, "slug": slug, "title": title, "who": who.username}
        entry["doors"] = [
            {"key": key, "what": self.doors[key].what, "there": there,
             "missing": self.doors[key].missing}
            for key, there in self.log[first:]
        ]  # fmt: skip
        entry["files"] = self.shoot(who.page, f"{number:02d}-{slug}", focus) if TOUR_DIR else {}
        self.steps.append(entry)

    def shoot(self, page: Page, stem: str, focus) -> dict[str, str]:
        """The step's pictures: PNG in 256 colours, at most MAX_HEIGHT of the page (the whole
        page, unreduced, goes to test-results/tour/ for whoever looks for layout faults)."""
        folder = TOUR_DIR / self.name / self.language
        folder.mkdir(parents=True, exist_ok=True)
        full = RESULTS_DIR / "tour" / self.name / self.language
        full.mkdir(parents=True, exist_ok=True)
        files = {}
        page.evaluate("document.fonts.ready")
        page.mouse.move(0, 0)
        for kind, (width, height) in self.widths.items():
            page.set_viewport_size({"width": width, "height": height})
            # From the top: a sticky element is drawn where the scrolling left it.
            page.evaluate("window.scrollTo(0, 0)")
            page.evaluate("() => new Promise(requestAnimationFrame)")
            # The section lists are sticky: drawn where they stand at the top of the page, not
            # a few pixels off wherever the last scroll left them; and no button is hovered.
            options = {"animations": "disabled", "caret": "hide", "style": STILL}
            page.screenshot(path=str(full / f"{stem}-{kind}.png"), full_page=True, **options)
            size = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            top = 0
            if focus is not None and focus.count():
                where = focus.first.evaluate("e => e.getBoundingClientRect().top + scrollY")
                top = max(0, min(int(where) - 120, size[1] - MAX_HEIGHT[kind]))
            clip_height = min(MAX_HEIGHT[kind], size[1] - top)
            clip = {"x": 0, "y": top, "width": size[0], "height": clip_height}
            png = page.screenshot(full_page=True, clip=clip, **options)
            path = folder / f"{stem}-{kind}.png"
            path.write_bytes(small_png(png))
            files[kind] = str(path.relative_to(TOUR_DIR))
        width, height = next(iter(self.widths.values()))
        page.set_viewport_size({"width": width, "height": height})
        return files

    # Doors

    def door(self, key: str, find: Callable[[], object], fallback: Callable[[], None]) -> None:
        """Click the door `find()` locates, if the page has it; else the way today's pages
        allow (`fallback`), remembering the door as missing."""
        assert key in self.doors, f"{key}: add it to DOORS"
        locator = find()
        there = locator.count() > 0 and locator.first.is_visible()
        self.met[key] = there
        self.log.append((key, there))
        if there:
            locator.first.click()
        else:
            fallback()

    def check(self, key: str, probe: Callable[[], bool]) -> None:
        """Something a person should see (a door of another kind): `probe()` says if it is."""
        assert key in self.doors, f"{key}: add it to DOORS"
        self.met[key] = there = bool(probe())
        self.log.append((key, there))

    def finish(self) -> None:
        """Write the steps down (tour), then judge the doors met (see the module's docstring)."""
        if TOUR_DIR:
            manifest = TOUR_DIR / self.name / self.language / "steps.json"
            story = {"journey": self.name, "title": self.title, "language": self.language}
            story["steps"] = self.steps
            manifest.write_text(json.dumps(story, ensure_ascii=False, indent=1) + "\n")
        undeclared = sorted(set(self.met) - set(self.declared))
        assert not undeclared, f"doors met but not declared by the test: {undeclared}"
        lacking = [k for k, there in self.met.items() if not there and not self.doors[k].missing]
        assert not lacking, "missing doors:\n" + "\n".join(
            f"- {key}: {self.doors[key].what}" for key in lacking
        )
        built = [k for k, there in self.met.items() if there and self.doors[k].missing]
        assert not built, "these doors are there now: remove their `missing` mark in DOORS:\n" + (
            "\n".join(f"- {key}: {self.doors[key].what}" for key in built)
        )
        known = [k for k, there in self.met.items() if not there]
        if known:
            raise MissingDoor(
                "\n".join(f"- {key}: {self.doors[key].what} ({self.doors[key].missing})"
                          for key in known)
            )  # fmt: skip


def small_png(png: bytes) -> bytes:
    """A screenshot in 256 colours: a third of the size or less, and sharp text (JPEG blurs it)."""
    from PIL import Image

    image = Image.open(BytesIO(png)).convert("RGB")
    quantized = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = BytesIO()
    quantized.save(out, format="PNG", optimize=True)
    return out.getvalue()


@pytest.fixture
def journey_factory(transactional_db, live_server, browser, monkeypatch, settings, request):
    """Makes the journey's world at DAY_ONE and returns `start(name, title, language, doors,
    *keys)`.
    E-mail links point at the live server."""
    settings.SITE_URL = live_server.url
    clock = Clock(monkeypatch, DAY_ONE)
    journey_world()
    made = []

    def start(
        name: str,
        title: str,
        language: str,
        doors: dict[str, Door],
        *declared: str,
        widths: dict[str, tuple[int, int]] | None = None,
    ):
        journey = Journey(
            widths=dict(widths or WIDTHS),
            name=name,
            title=title,
            browser=browser,
            base_url=live_server.url,
            language=language,
            clock=clock,
            doors=doors,
            declared=declared,
        )
        made.append(journey)
        return journey

    yield start
    failed = getattr(request.node, "report_call", None)
    for journey in made:
        if failed is not None and failed.failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            for n, who in enumerate(journey.people):
                if who.page.is_closed():
                    continue
                # The failure is what matters, not a screenshot that could not be taken.
                with contextlib.suppress(Exception):
                    who.page.screenshot(
                        path=str(RESULTS_DIR / f"{request.node.name}-{n}-{who.username}.png"),
                        full_page=True,
                        timeout=10_000,
                    )
        journey.close()
