"""Regenerate src/campaignkit/data/sample_contacts.csv, the demo's contact list.

Run:  python tools/make_sample_contacts.py

Deterministic (seeded): 3,000 rows across seven countries, phone numbers typed
the way people type them (national formats, spaces, dashes, international
prefixes; foreign numbers carry their country code, so the list imports with
the default region MX), plus a few invalid numbers and duplicate rows that the importer must
reject and report.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import phonenumbers

OUT = (
    Path(__file__).resolve().parent.parent / "src" / "campaignkit" / "data" / "sample_contacts.csv"
)
REGIONS = [
    ("MX", 0.45),
    ("US", 0.15),
    ("CO", 0.12),
    ("ES", 0.08),
    ("BR", 0.08),
    ("IN", 0.07),
    ("GB", 0.05),
]
FIRST = [
    "Juan",
    "Ana",
    "Carlos",
    "María",
    "Luis",
    "Sofía",
    "José",
    "Lucía",
    "Pedro",
    "Elena",
    "Diego",
    "Camila",
    "Jorge",
    "Valeria",
    "Raj",
    "Priya",
    "Emma",
    "Oliver",
    "João",
    "Beatriz",
]
LAST = [
    "Pérez",
    "Gómez",
    "Ruiz",
    "López",
    "García",
    "Martínez",
    "Hernández",
    "Smith",
    "Patel",
    "Silva",
    "Santos",
    "Jones",
    "Torres",
    "Ramírez",
    "Flores",
    "Castro",
]
ROWS = 3000


def number_for(rng: random.Random, region: str) -> phonenumbers.PhoneNumber:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    while True:
        tail = "".join(rng.choice("0123456789") for _ in range(5))
        candidate = phonenumbers.PhoneNumber(
            country_code=example.country_code, national_number=int(national[:-5] + tail)
        )
        if phonenumbers.is_valid_number(candidate):
            return candidate


def typed(rng: random.Random, number: phonenumbers.PhoneNumber, region: str) -> str:
    # The list belongs to a Mexican company: Mexican numbers are typed any which
    # way, foreign ones with their country code (as they must be, to be dialled).
    if region == "MX":
        fmt = rng.choice(["e164", "national", "national", "international", "dashes"])
    else:
        fmt = rng.choice(["e164", "international", "international"])
    if fmt == "e164":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if fmt == "international":
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return text.replace(" ", "-") if fmt == "dashes" else text


def main() -> None:
    rng = random.Random(20261122)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["contact", "name", "context", "id", "priority", "override_agent_name"])
    written: list[list[str]] = []
    for i in range(ROWS):
        region = rng.choices([r for r, _ in REGIONS], [w for _, w in REGIONS])[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        amount = rng.randrange(200, 5000, 50)
        context = f"Amount: ${amount:,}. Due: June {rng.randint(1, 28)}"
        priority = rng.choices(["high", "normal", "low", ""], [1, 6, 2, 3])[0]
        agent = rng.choice(["", "", "", "Inés", "Andrés"])
        if i % 150 == 7:  # an invalid number: too short, or letters
            phone = rng.choice(["555-12", "+52 1", "not a number", "0000000"])
        else:
            phone = typed(rng, number_for(rng, region), region)
        row = [phone, name, context, f"S{i + 1:05d}", priority, agent]
        if i % 200 == 13 and written:  # a duplicate of an earlier contact, typed differently
            earlier = rng.choice(written)
            row = [earlier[0], earlier[1], earlier[2], f"S{i + 1:05d}", priority, agent]
        written.append(row)
        writer.writerow(row)
    OUT.write_text(out.getvalue(), encoding="utf-8")
    print(f"wrote {OUT} ({ROWS} rows)")


if __name__ == "__main__":
    main()
