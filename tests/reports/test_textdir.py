import pytest

from reports.textdir import TextDirection, detect, direct_blocks

ARABIC = "تعمل الحكومة على تعزيز حماية العمال المهاجرين"
FRENCH = (
    "Le gouvernement a adopté une stratégie nationale d’immigration et d’asile pour les migrants."
)
ENGLISH = "The government has adopted a national strategy on immigration and asylum."


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        (ARABIC, "en", TextDirection("rtl", "ar")),
        (FRENCH, "en", TextDirection("ltr", "fr")),
        (ENGLISH, "fr", TextDirection("ltr", "en")),
        # Mostly Arabic with a Latin acronym and figures: still Arabic.
        (f"{ARABIC} (IOM) 2024", "en", TextDirection("rtl", "ar")),
        # Mostly English quoting an Arabic name: English.
        (f"{ENGLISH} It is called «الاستراتيجية».", "en", TextDirection("ltr", "en")),
        # Too short to tell English from French: the submission's language.
        ("IOM, UNHCR", "fr", TextDirection("ltr", "fr")),
        # No letters at all: the submission's language and its direction.
        ("1 250", "ar", TextDirection("rtl", "ar")),
        ("", "en", TextDirection("ltr", "en")),
        # An Arabic submission answering in Latin script that is not clearly French: English.
        (
            "IOM and UNHCR were consulted in the review of the plan.",
            "ar",
            TextDirection("ltr", "en"),
        ),
    ],
)
def test_detect(text, default, expected):
    assert detect(text, default) == expected


def test_each_block_takes_its_own_latin_language():
    # French after English in the same answer: the same direction, another language (its
    # hyphenation and quotation marks).
    html = direct_blocks(f"<p>{ENGLISH}</p><p>{FRENCH}</p><p>{ARABIC}</p>", "en").html
    assert html == f'<p>{ENGLISH}</p><p lang="fr">{FRENCH}</p><p dir="rtl" lang="ar">{ARABIC}</p>'
