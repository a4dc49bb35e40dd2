"""The people on a case, as the search index and the lists need them (found in the application's JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Person:
    """One person on a case, as the search index and the lists need them."""

    role: str  # applicant, spouse, co_borrower, agent, seller
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    position: int = 0


def _plain(value: Any) -> str | None:
    # Form fields may be wrapped with their source ({"value": ..., "source": "verified"}).
    if isinstance(value, Mapping):
        value = value.get("value")
    return str(value).strip() or None if value is not None else None


def people_from_payload(payload: Mapping[str, Any]) -> list[Person]:
    """Find the people in an application dict (``Application.model_dump(mode="json")``): ``applicant``,
    ``spouse``, ``co_borrowers`` (list), ``agent`` — each with ``name``, ``id_number`` and ``phone`` (or
    ``mobile``) — and a resale ``property``'s ``seller_name``/``seller_id_number``. Other shapes pass ``people``."""
    found: list[Person] = []
    for role, key in (
        ("applicant", "applicant"),
        ("spouse", "spouse"),
        ("co_borrower", "co_borrowers"),
        ("agent", "agent"),
    ):
        value = payload.get(key)
        items = value if isinstance(value, list) else [value]
        for position, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            person = Person(
                role=role,
                name=_plain(item.get("name")),
                id_number=_plain(item.get("id_number")),
                phone=_plain(item.get("phone", item.get("mobile"))),
                position=position,
            )
            if person.name or person.id_number or person.phone:
                found.append(person)
    house = payload.get("property")
    if isinstance(house, Mapping) and (house.get("seller_name") or house.get("seller_id_number")):
        # Resale: the seller is a person too, and staff look cases up by the seller's ID as well.
        found.append(
            Person(
                role="seller", name=_plain(house.get("seller_name")), id_number=_plain(house.get("seller_id_number"))
            )
        )
    return found
