"""Stop words: the common words that search neither requires nor highlights.

English and French are PostgreSQL's own lists (`tsearch_data/english.stop` and `french.stop`,
from the Snowball project), the words its `english` and `french` text search configurations
drop; PostgreSQL has none for Arabic, so the Arabic list is the portal's: prepositions,
conjunctions, pronouns, demonstratives and relative pronouns written as separate words.

`questionnaire.search` drops a query's stop words on every database, so that PostgreSQL (which
searches with the 'simple' configuration, keeping every word) and SQLite behave alike.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH = _words(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """
)

FRENCH = _words(
    """
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes
    moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi
    ton tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants
    étantes suis es est sommes êtes sont serai seras sera serons serez seront serais serait
    serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois
    soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes
    ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais
    aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie
    aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent
    """
)

ARABIC = _words(
    """
    في من إلى الى على عن مع ثم أو او أم بل لكن لا لم لن ما ماذا إن ان أن إذا اذا كما كل بعض
    غير بين عند لدى حتى قد لقد هذا هذه ذلك تلك هؤلاء أولئك الذي التي الذين اللذين اللتين
    اللواتي هو هي هم هن هما أنا نحن أنت أنتم له لها لهم لنا به بها بهم فيه فيها فيهم منه منها
    منهم عليه عليها عليهم عنه عنها إليه إليها أي أيضا ايضا ذات ذو حيث كان كانت يكون تكون وقد
    وفي ومن وعلى وإلى ولا وما وهو وهي أما إما
    """
)


def stop_words(language: str | None) -> frozenset[str]:
    """The stop words of a search made in `language` (the interface's): French for French,
    English otherwise, and the Arabic ones always (no Arabic word is an English or French one,
    so an Arabic query is read the same in every interface)."""
    latin = FRENCH if (language or "").split("-")[0] == "fr" else ENGLISH
    return latin | ARABIC
