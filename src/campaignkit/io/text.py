"""Building blocks for reading and writing vendor files: decoding with a size limit,
CSV rows and delimiters, formula neutralising, phone normalisation and timestamps.

`campaignkit.io` reads and writes the contact and call files; the vendor readers of
`campaignkit.dialects` are built from the same blocks, so every file the library reads
gets the same limits, the same decoding errors and the same formula rules.
"""

from ._csv import check_delimiter, choose_delimiter, read_rows, write_csv
from ._phone import PhoneNormaliser
from ._safe import is_formula, neutralise, unneutralise
from ._source import read_text
from ._values import parse_moment

__all__ = [
    "PhoneNormaliser",
    "check_delimiter",
    "choose_delimiter",
    "is_formula",
    "neutralise",
    "parse_moment",
    "read_rows",
    "read_text",
    "unneutralise",
    "write_csv",
]
