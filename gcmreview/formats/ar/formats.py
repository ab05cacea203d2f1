"""Arabic numbers with Western digits: a decimal point and a comma between thousands
("1,250,000.5"), as Unicode CLDR gives for Arabic written with 0-9 and as the Mashreq's and the
Gulf's ministries write them. Django's Arabic file has the Maghreb's decimal comma and no
grouping; there, a person typing "250,000" in Arabic would have saved 250. Maghreb users who
prefer the decimal comma find it in the French interface. docs/languages.md, "Numbers".
"""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
