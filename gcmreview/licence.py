"""The licence of what the portal publishes (the public bulk downloads, the API's published
data): the one the United Nations' publications use, named once here for both."""

from __future__ import annotations

LICENCE = {
    "name": "CC BY 3.0 IGO",
    "url": "https://creativecommons.org/licenses/by/3.0/igo/",
    "attribution": "United Nations Economic and Social Commission for Western Asia (ESCWA), "
    "GCM Review Portal",
}
