"""Arabic and French beside the English of a question set: questionnaire titles, section titles
and introductions, question texts and help texts, GCM objectives' titles and short labels (the
labels of a question's type options sit in its JSON), and whether a version's translations are
official. Blank means "not translated": pages fall back to English (questionnaire.i18n)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaire", "0004_answer_text_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="objective",
            name="short_label_ar",
            field=models.CharField(blank=True, max_length=60, verbose_name="short label (Arabic)"),
        ),
        migrations.AddField(
            model_name="objective",
            name="short_label_fr",
            field=models.CharField(blank=True, max_length=60, verbose_name="short label (French)"),
        ),
        migrations.AddField(
            model_name="objective",
            name="title_ar",
            field=models.TextField(blank=True, verbose_name="title (Arabic)"),
        ),
        migrations.AddField(
            model_name="objective",
            name="title_fr",
            field=models.TextField(blank=True, verbose_name="title (French)"),
        ),
        migrations.AddField(
            model_name="question",
            name="help_text_ar",
            field=models.TextField(blank=True, verbose_name="help text (Arabic)"),
        ),
        migrations.AddField(
            model_name="question",
            name="help_text_fr",
            field=models.TextField(blank=True, verbose_name="help text (French)"),
        ),
        migrations.AddField(
            model_name="question",
            name="text_ar",
            field=models.TextField(blank=True, verbose_name="question text (Arabic)"),
        ),
        migrations.AddField(
            model_name="question",
            name="text_fr",
            field=models.TextField(blank=True, verbose_name="question text (French)"),
        ),
        migrations.AddField(
            model_name="questionnaire",
            name="title_ar",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (Arabic)"),
        ),
        migrations.AddField(
            model_name="questionnaire",
            name="title_fr",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (French)"),
        ),
        migrations.AddField(
            model_name="questionnaireversion",
            name="official_translations",
            field=models.BooleanField(
                default=False,
                help_text="Tick when the Arabic and French texts of this version are official translations. Otherwise pages that show them say that the translation is unofficial and that the English text is authoritative.",
                verbose_name="official translations",
            ),
        ),
        migrations.AddField(
            model_name="section",
            name="intro_ar",
            field=models.TextField(blank=True, verbose_name="introduction (Arabic)"),
        ),
        migrations.AddField(
            model_name="section",
            name="intro_fr",
            field=models.TextField(blank=True, verbose_name="introduction (French)"),
        ),
        migrations.AddField(
            model_name="section",
            name="title_ar",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (Arabic)"),
        ),
        migrations.AddField(
            model_name="section",
            name="title_fr",
            field=models.CharField(blank=True, max_length=300, verbose_name="title (French)"),
        ),
        migrations.AlterField(
            model_name="question",
            name="options",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Per type: choices [{value, label}], max_length, columns [{key, label}], scale [{value, label}] for the objectives grid, min/max for numbers. Each label may have its Arabic and French beside it: {value, label, label_ar, label_fr}.",
                verbose_name="type options",
            ),
        ),
    ]
