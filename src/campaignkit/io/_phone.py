"""Phone numbers to E.164, with a fast path for numbers that already are.

The reference behaviour is ``phonenumbers``: ``parse(raw, region)``, then
``is_valid_number``, then ``format_number(..., E164)``. `to_e164` returns
exactly what that pipeline returns, with two deliberate differences:

* a number with an extension is refused (E.164 cannot carry it, and silently
  dialling the main line would reach the wrong person);
* Mexico's abolished mobile prefix ``1`` after the country code
  (``+52 1 55 5555 1234``, as in Altur's sample file, seed 004) is dropped when
  what remains is a valid Mexican number (``+525555551234``). Mexico removed
  the prefix from its dialling plan in 2019 and ``phonenumbers`` now calls such
  numbers invalid.

Why a fast path: ``phonenumbers.parse`` normalises arbitrary text (letters,
punctuation, national and international prefixes) and costs ~20 µs, and
``is_valid_number`` walks up to ten regular expressions per candidate region
(~10 µs; far more for +1, where it tries each NANPA region in turn). For a
string that already has the E.164 shape, none of the parsing is needed: the
country code is a prefix-free 1-3 digit code and the rest is the national
significant number. `_Checker` compiles, per country code, the same
validation ``is_valid_number`` performs - region choice by leading digits,
the general pattern, then any number-type pattern allowed at that length -
into at most two regular-expression matches. ``tests/io/test_contacts.py`` checks
the fast path against ``phonenumbers`` on every region's example numbers and
on generated ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException, PhoneMetadata

from ..errors import InvalidConfig, InvalidInput

__all__ = ["PhoneNormaliser", "to_e164"]

_E164_SHAPE = re.compile(r"\+[1-9][0-9]{6,14}")
_NON_GEO = "001"
_MEXICO = 52

# The number types `_number_type_helper` tries, fixed line and mobile last.
_TYPE_DESCS = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)

Check = Callable[[str], bool]


def _never(nsn: str) -> bool:
    return False


def _desc_matcher(meta: Any) -> Check:
    """A check equal to ``_number_type_helper(nsn, meta) != UNKNOWN``."""
    general = meta.general_desc
    if general is None or not general.national_number_pattern:
        return _never
    general_re = re.compile(general.national_number_pattern)
    general_lengths = frozenset(general.possible_length)
    descs = []
    for name in _TYPE_DESCS:
        if name == "mobile" and meta.same_mobile_and_fixed_line_pattern:
            continue  # phonenumbers skips it: fixed line already said no
        desc = getattr(meta, name)
        if desc is None or not desc.national_number_pattern:
            continue
        descs.append((frozenset(desc.possible_length), desc.national_number_pattern))
    by_length: dict[int, re.Pattern[str] | None] = {}

    def types_for(length: int) -> re.Pattern[str] | None:
        patterns = [p for lengths, p in descs if not lengths or length in lengths]
        if not patterns:
            return None
        return re.compile("|".join(f"(?:{p})" for p in patterns))

    def check(nsn: str) -> bool:
        length = len(nsn)
        if general_lengths and length not in general_lengths:
            return False
        if general_re.fullmatch(nsn) is None:
            return False
        try:
            types = by_length[length]
        except KeyError:
            types = by_length[length] = types_for(length)
        return types is not None and types.fullmatch(nsn) is not None

    return check


def _checker_for(country_code: int) -> Check:
    """``is_valid_number`` for national significant numbers of ``country_code``."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return _never
    if regions == (_NON_GEO,):
        meta = PhoneMetadata.metadata_for_nongeo_region(country_code)
        return _never if meta is None else _desc_matcher(meta)
    candidates: list[tuple[re.Pattern[str] | None, Check]] = []
    for region in regions:
        meta = PhoneMetadata.metadata_for_region(region, None)
        if meta is None:
            continue
        leading = re.compile(meta.leading_digits) if meta.leading_digits else None
        candidates.append((leading, _desc_matcher(meta)))
    if len(regions) == 1:
        return candidates[0][1] if candidates else _never

    def check(nsn: str) -> bool:
        # phonenumbers' region_code_for_number: the first region whose leading
        # digits match, or failing those, the first region the number is valid in.
        for leading, valid in candidates:
            if leading is not None:
                if leading.match(nsn):
                    return valid(nsn)
            elif valid(nsn):
                return True
        return False

    return check


class _Prefixes:
    """What ``phonenumbers.parse`` may strip or reinterpret at the start of a
    national significant number of one region (its national prefix for
    parsing, a transform rule, its international dialling prefix)."""

    __slots__ = ("general", "idd", "nfpp", "transform")

    def __init__(self, meta: Any) -> None:
        nfpp = meta.national_prefix_for_parsing if meta is not None else None
        self.nfpp = re.compile(nfpp) if nfpp else None
        self.transform = bool(meta is not None and meta.national_prefix_transform_rule)
        general = meta.general_desc if meta is not None else None
        pattern = general.national_number_pattern if general is not None else None
        self.general = re.compile(pattern) if pattern else None
        idd = meta.international_prefix if meta is not None else None
        self.idd = re.compile(idd) if idd else None

    def ambiguous(self, nsn: str) -> bool:
        """True if parse would strip a prefix from (or transform) ``nsn``, valid as it is.

        ``_maybe_strip_national_prefix_carrier_code`` keeps a viable number
        whole only when the stripped rest is not viable; when both are, it
        strips - and then the answer is parse's, not the fast path's.
        """
        if self.nfpp is None:
            return False
        match = self.nfpp.match(nsn)
        if match is None:
            return False
        groups = match.groups()
        if self.transform and groups and groups[-1] is not None:
            return True
        if match.end() == 0:
            return False
        return self.general is None or self.general.fullmatch(nsn[match.end() :]) is not None


def _prefixes_for(country_code: int) -> _Prefixes:
    """The prefixes of the region phonenumbers reads ``+country_code`` numbers with."""
    region = phonenumbers.region_code_for_country_code(country_code)
    if region == _NON_GEO:
        return _Prefixes(PhoneMetadata.metadata_for_nongeo_region(country_code))
    return _Prefixes(PhoneMetadata.metadata_for_region(region, None))


# Country codes by their digits: a dict lookup instead of int() per width.
_CODES = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}

# Punctuation people write inside numbers; phonenumbers ignores all of it.
_PUNCTUATION = str.maketrans("", "", " -()./")
_MAX_INPUT = 250  # phonenumbers refuses longer input outright


class PhoneNormaliser:
    """Turns phone numbers in any format into E.164, for one default region.

    ``region`` is the ISO 3166 code used for numbers written without a country
    code (``"MX"``, ``"IN"``, ...), or None to accept only international forms.
    Raises `InvalidConfig` for a region ``phonenumbers`` does not know. One
    instance caches compiled checks per country code; it holds no other state.
    """

    __slots__ = ("_checks", "_home", "_prefixes", "region")

    def __init__(self, region: str | None = "MX") -> None:
        if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
            raise InvalidConfig("region", "an ISO 3166 region code such as 'MX' or None", region)
        self.region = region
        self._checks: dict[int, Check] = {}
        self._prefixes: dict[int, _Prefixes] = {}
        self._home: tuple[int, _Prefixes] | None = None
        if region is not None:
            meta = PhoneMetadata.metadata_for_region(region, None)
            if meta is not None and meta.country_code:
                self._home = (meta.country_code, _Prefixes(meta))

    def _valid(self, country_code: int, nsn: str) -> bool:
        try:
            check = self._checks[country_code]
        except KeyError:
            check = self._checks[country_code] = _checker_for(country_code)
        return check(nsn)

    def _fast(self, raw: str) -> str | None:
        """``raw`` if it is a valid E.164 number, else None (then parse it fully)."""
        for width in (2, 3, 4):  # "+" and a 1-3 digit country code
            country_code = _CODES.get(raw[1:width], 0)
            if country_code:
                nsn = raw[width:]
                if country_code == _MEXICO and len(nsn) == 11:
                    # Mexican numbers have 10 digits, so "+52 1 ..." is only ever the
                    # abolished mobile prefix: one check, not two (issue 15 hot spot).
                    return self._legacy_mexican(country_code, nsn)
                if self._valid(country_code, nsn):
                    try:
                        prefixes = self._prefixes[country_code]
                    except KeyError:
                        prefixes = self._prefixes[country_code] = _prefixes_for(country_code)
                    return None if prefixes.ambiguous(nsn) else raw
                return self._legacy_mexican(country_code, nsn)
        return None

    def _fast_national(self, digits: str) -> str | None:
        """``+cc digits`` if ``digits`` is a valid national number of the region
        that parse would read as it is; None when only a full parse can tell."""
        if self._home is None:
            return None
        country_code, prefixes = self._home
        if prefixes.idd is not None and prefixes.idd.match(digits):
            return None  # dialled internationally: parse reads a country code
        if prefixes.ambiguous(digits) or not self._valid(country_code, digits):
            return None
        return f"+{country_code}{digits}"

    def _legacy_mexican(self, country_code: int, nsn: str) -> str | None:
        if country_code == _MEXICO and len(nsn) == 11 and nsn[0] == "1":
            rest = nsn[1:]
            if self._valid(_MEXICO, rest):
                return f"+52{rest}"
        return None

    def normalise(self, raw: str) -> str | None:
        """``raw`` in E.164, or None if it is not a valid phone number.

        Also None for a number with an extension. Never raises for bad input.
        """
        first = raw[:1]
        if first == "+" and len(raw) <= _MAX_INPUT:
            if _E164_SHAPE.fullmatch(raw) is not None:
                compact: str | None = raw  # one match, not two, for the common case
            else:
                compact = raw.translate(_PUNCTUATION)
                if _E164_SHAPE.fullmatch(compact) is None:
                    compact = None
            if compact is not None:
                fast = self._fast(compact)
                if fast is not None:
                    return fast
            # An E.164-shaped string that fails the check can still be valid
            # after phonenumbers' own clean-up (a national prefix after the
            # country code, say): fall through to the full parse.
        elif first and first in "0123456789(" and len(raw) <= _MAX_INPUT:
            digits = raw.translate(_PUNCTUATION)
            if digits.isascii() and digits.isdigit():
                fast = self._fast_national(digits)
                if fast is not None:
                    return fast
        try:
            number = phonenumbers.parse(raw, self.region)
        except (NumberParseException, ValueError, TypeError, IndexError):
            return None
        if number.extension:
            return None
        country_code: int = number.country_code or 0
        nsn = phonenumbers.national_significant_number(number)
        if self._valid(country_code, nsn):
            return f"+{country_code}{nsn}"
        return self._legacy_mexican(country_code, nsn)

    def has_extension(self, raw: str) -> bool:
        """True if ``raw`` parses as a number with an extension (``ext. 12``)."""
        try:
            return bool(phonenumbers.parse(raw, self.region).extension)
        except (NumberParseException, ValueError, TypeError, IndexError):
            return False


def to_e164(raw: str, region: str | None = "MX") -> str:
    """``raw`` (any format) as an E.164 number, national numbers read in ``region``.

    >>> to_e164("55 5555 1234")
    '+525555551234'

    Raises `InvalidInput` naming the value if it is not a valid phone number (or
    carries an extension), and `InvalidConfig` for an unknown region.
    """
    if type(raw) is not str:
        raise InvalidInput(f"phone number must be a string; got {raw!r}")
    e164 = PhoneNormaliser(region).normalise(raw)
    if e164 is None:
        raise InvalidInput(f"{raw!r} is not a valid phone number (default region {region!r})")
    return e164
