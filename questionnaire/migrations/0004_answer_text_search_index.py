"""A GIN index for the full-text search of answers on PostgreSQL; nothing elsewhere.

The expression is the one `questionnaire.search` filters on (Django's
`SearchVector("text", config="simple")`), so the planner can use the index. It is raw SQL in a
RunPython rather than a model index: SQLite has no such index, and the model state stays the
same on every database (makemigrations sees nothing to do).
"""

from django.db import migrations

INDEX = "questionnaire_answer_text_fts"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON questionnaire_answer "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(text, ''::text)))"
)
DROP = f"DROP INDEX IF EXISTS {INDEX}"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaire", "0003_answer_text"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
