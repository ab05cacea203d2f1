from django.contrib import admin

from .models import Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    search_fields = ["name_en", "name_ar", "name_fr", "iso2", "iso3"]
