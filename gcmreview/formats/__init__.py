"""The portal's own number formats where Django's do not fit (settings.FORMAT_MODULE_PATH).

Only what differs is defined here; dates and everything else come from Django's locale files.
"""
