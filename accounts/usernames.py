"""The one rule for a new user name: what people type is what they can log in with, and nobody
takes a name that looks like someone else's.

Django's login form normalises what is typed (NFKC), so a name stored as typed in full-width
letters (`ｊｏｒｄａｎ`) could never log in: names are stored normalised. A name that only *looks*
like an existing one (`јordan` with a Cyrillic `ј` beside `jordan`) would let someone pass as a
colleague in the team list and in comments: names are compared by their skeleton (each character
replaced by the Latin letter it can be mistaken for, after Unicode's confusables table, as
django-registration does with the same library) and case-folded. A name that mixes scripts with
such characters is refused outright.
"""

from __future__ import annotations

from confusable_homoglyphs import confusables
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def skeleton(name: str) -> str:
    """`name` as it looks: confusable characters replaced by the Latin ones they imitate."""
    name = get_user_model().normalize_username(name).casefold()
    found = confusables.is_confusable(name, greedy=True, preferred_aliases=["latin"]) or []
    replace = {}
    for entry in found:
        latin = [h["c"] for h in entry["homoglyphs"] if len(h["c"]) == 1]
        if latin:
            replace[entry["character"]] = latin[0]
    return "".join(replace.get(c, c) for c in name).casefold()


def username_check_new(username: str) -> str:
    """The user name to store for a new account (NFKC-normalised), or ValidationError when it
    is taken, looks like a name that is taken, or mixes scripts deceptively."""
    User = get_user_model()
    username = User.normalize_username(username or "").strip()
    UnicodeUsernameValidator()(username)  # again: normalising may have made new characters
    taken = _("That user name is taken; choose another.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(taken, code="taken")
    if confusables.is_dangerous(username):
        raise ValidationError(
            _(
                "This user name mixes letters of different alphabets that look alike; use "
                "letters of one alphabet."
            ),
            code="confusable",
        )
    mine = skeleton(username)
    # Hundreds of accounts, not millions: comparing with each is cheap and needs no stored
    # column to keep in step.
    for other in User.objects.values_list("username", flat=True).iterator():
        if skeleton(other) == mine:
            raise ValidationError(taken, code="lookalike")
    return username
