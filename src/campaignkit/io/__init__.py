"""Contact import, result exports and the readers behind the vendor dialects: text in, text out.

Nothing here opens a file or a socket. Readers take a string, bytes, a
file-like object or an iterable of lines, and read it as a stream; writers
return a string.

* `import_contacts` reads an upload file (seed 004) into `Contact` records,
  normalising phone numbers to E.164 and reporting every rejected row.
* `export_contacts`, `export_calls` and `export_results` write Altur's three
  result exports (seed 000) as CSV (comma or semicolon) or JSON;
  `export_contact_list` writes an upload file.
* `read_contact_export` and `read_call_export` read those exports back.
* `iter_contacts` and `iter_call_export` are the streaming forms: one row at a
  time, bounded memory, an optional progress callback.
* Their keyword options are declared once, as typed dictionaries the functions
  take as ``**options``: `ExportOptions` (`ContactExportOptions`,
  `CallExportOptions`) for the writers, `SourceOptions` (`ContactReadOptions`,
  `CallReadOptions`) for the readers.
"""

from ._csv import CELL_LIMIT, DELIMITERS
from ._errors import (
    DuplicateColumns,
    EmptyInput,
    InputTooLarge,
    MalformedInput,
    MissingColumns,
    UndecodableInput,
)
from ._labels import CANONICAL, Labels
from ._phone import PhoneNormaliser, to_e164
from ._safe import is_formula, neutralise, unneutralise
from ._source import (
    DEFAULT_MAX_BYTES,
    CallReadOptions,
    ContactReadOptions,
    Formulas,
    JsonSource,
    Progress,
    Source,
    SourceOptions,
)
from .contacts import (
    REQUIRED_COLUMNS,
    UPLOAD_COLUMNS,
    ContactStream,
    ImportResult,
    Rejection,
    RejectReason,
    import_contacts,
    iter_contacts,
    read_contact_export,
)
from .exports import (
    CALL_EXPORT_COLUMNS,
    CONTACT_EXPORT_COLUMNS,
    EXTENDED_CONTACT_COLUMNS,
    CallExportOptions,
    CallStream,
    ContactExportOptions,
    ExportOptions,
    export_calls,
    export_contact_list,
    export_contacts,
    export_results,
    format_altur_duration,
    iter_call_export,
    read_call_export,
)

__all__ = [
    "CALL_EXPORT_COLUMNS",
    "CANONICAL",
    "CELL_LIMIT",
    "CONTACT_EXPORT_COLUMNS",
    "DEFAULT_MAX_BYTES",
    "DELIMITERS",
    "EXTENDED_CONTACT_COLUMNS",
    "REQUIRED_COLUMNS",
    "UPLOAD_COLUMNS",
    "CallExportOptions",
    "CallReadOptions",
    "CallStream",
    "ContactExportOptions",
    "ContactReadOptions",
    "ContactStream",
    "DuplicateColumns",
    "EmptyInput",
    "ExportOptions",
    "Formulas",
    "ImportResult",
    "InputTooLarge",
    "JsonSource",
    "Labels",
    "MalformedInput",
    "MissingColumns",
    "PhoneNormaliser",
    "Progress",
    "RejectReason",
    "Rejection",
    "Source",
    "SourceOptions",
    "UndecodableInput",
    "export_calls",
    "export_contact_list",
    "export_contacts",
    "export_results",
    "format_altur_duration",
    "import_contacts",
    "is_formula",
    "iter_call_export",
    "iter_contacts",
    "neutralise",
    "read_call_export",
    "read_contact_export",
    "to_e164",
    "unneutralise",
]
