"""Stores: campaigns kept in a database, behaving exactly like `CampaignRunner`.

A store keeps the rows of the decision layer (`campaignkit.models.state`) and
decides nothing: it loads a row, calls a pure step of
`campaignkit.engine.steps`, saves what the step returned, indexes the due time
and queues the notifications, each public call in one transaction.

* `campaignkit.stores.sqlite` - `SQLiteCampaign` on a SQLite file (stdlib
  ``sqlite3``), crash-safe, with a transactional outbox.
* `campaignkit.stores.postgres` - `PostgresCampaign` on PostgreSQL (the
  ``postgres`` extra, psycopg 3), driven by several worker processes at once.
"""

from .postgres import PostgresCampaign
from .sqlite import SQLiteCampaign

__all__ = ["PostgresCampaign", "SQLiteCampaign"]
