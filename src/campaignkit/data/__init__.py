"""The bundled sample data: a contact list to try the library on.

`sample_contacts` is the list the ``campaignkit demo`` command runs on: 3,000
synthetic rows across Mexico, the US, Colombia, Spain, Brazil, India and the
UK, phone numbers typed as people type them, with 20 invalid numbers and 24
duplicates that the importer rejects (see ``README.md`` beside it).
"""

from __future__ import annotations

from importlib import resources

from ..io import ImportResult, import_contacts
from ..models.records import Contact

__all__ = ["SAMPLE_CONTACTS_FILE", "sample_contacts", "sample_contacts_csv", "sample_import"]

SAMPLE_CONTACTS_FILE = "sample_contacts.csv"
"""The file name of the sample contact list inside this package."""


def sample_contacts_csv() -> bytes:
    """The sample contact list as the upload file it is (CSV bytes, seed 004's columns)."""
    return resources.files(__name__).joinpath(SAMPLE_CONTACTS_FILE).read_bytes()


def sample_import(region: str = "MX") -> ImportResult:
    """The sample list read by `import_contacts` (national numbers in ``region``):
    the contacts and the rejected rows. Raises `InvalidConfig` for an unknown region."""
    return import_contacts(sample_contacts_csv(), region=region)


def sample_contacts(region: str = "MX") -> tuple[Contact, ...]:
    """The valid contacts of the sample list (2,956 of its 3,000 rows), numbers in E.164.

    ``region`` reads national numbers (default Mexico, as the demo). Raises
    `InvalidConfig` for an unknown region.
    """
    return tuple(sample_import(region).contacts)
