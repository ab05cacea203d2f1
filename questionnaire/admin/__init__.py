"""The Django admin: questionnaire management for ESCWA administrators, history read-only.

One module per subject; importing them registers their pages:

- `_common`: who may do what (administrators manage; published versions are read-only; a rule
  refused at save time becomes a message) and the side-by-side translation widgets;
- `forms`: the forms of the questionnaire's pages;
- `reference`: countries, GCM objectives, guiding principles;
- `versions`: questionnaires, versions, sections, questions;
- `version_pages`: a version's pages of its own (compare, new draft, publish, retire);
- `translation_files`: a version's texts for translators, exported and imported with a preview;
- `cycles`: review cycles and deadline extensions;
- `teams`: memberships and invitations;
- `history`: submissions, their events, answers, revisions, documents and comments (read-only).

Every write goes through `services`, like every other caller.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import cycles, history, reference, teams, versions

admin.site.site_header = _("GCM Review Portal administration")
admin.site.site_title = _("GCM Review Portal")
admin.site.index_title = _("Questionnaires, countries and review cycles")

__all__ = ["cycles", "history", "reference", "teams", "versions"]
