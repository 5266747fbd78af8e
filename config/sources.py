"""The [[keywords]] and [[feeds]] lists of the config: what is counted, and where it is read."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

from courlan import normalize_url
from pydantic import Field, field_validator

from config.strict import _Strict

# ISO 3166-1 alpha-2: the 249 codes assigned (as in the tz database's iso3166.tab).
_COUNTRY_CODES = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
    "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
    "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
    "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
)
COUNTRIES = frozenset(_COUNTRY_CODES.split())
# A collection's name: lowercase words of letters and digits joined by hyphens (ru-state).
COLLECTION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Keyword(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = []

    @property
    def terms(self) -> list[str]:
        """Return the name followed by its aliases."""
        return [self.name, *self.aliases]


class Feed(_Strict):
    name: str = Field(min_length=1)
    url: str
    # The outlet's country (ISO 3166-1 alpha-2, stored upper case) and the collections it is
    # counted in; a feed without them is in no collection. Joined in the views by `name`.
    country: str | None = None
    collections: list[str] = []

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.upper() not in COUNTRIES:
            raise ValueError(f"not an ISO 3166-1 alpha-2 country code (such as RU, CN): {value!r}")
        return value.upper()

    @field_validator("collections")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        for name in value:
            if len(name) > 40 or not COLLECTION.fullmatch(name):
                raise ValueError(
                    f"a collection is a lowercase name of letters, digits and hyphens (ru-state),"
                    f" at most 40 characters: {name!r}"
                )
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"collection listed twice: {', '.join(repeated)}")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"feed url must start with http:// or https://, got {value!r}")
        parts = urlsplit(value)
        if not parts.hostname:
            raise ValueError(f"feed url has no host name: {value!r}")
        if parts.username or parts.password:
            raise ValueError(f"feed url carries credentials; they would be logged: {value!r}")
        return value

    @property
    def canonical(self) -> str:
        """Return the URL as a feed is known by: host lowercased, default port, tracking and
        fragment dropped (two spellings of one feed are one feed)."""
        return urldefrag(normalize_url(self.url, strict=False)).url
