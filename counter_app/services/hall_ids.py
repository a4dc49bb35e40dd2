"""How a window asks the platform for a case by ID number without sending the number: a keyed hash.

Every window of a hall and the platform share the application secret (``app_secret``, the key that signs gateway
requests), so each can compute ``HMAC-SHA256(secret, "hall-id:" + ID number)`` and compare; a URL, a proxy log or a
cache then never holds an ID number. The ID is normalised as the form stores it (18 characters, X upper case).
"""

from __future__ import annotations

import hashlib
import hmac

from forms.identifiers import normalise


def hall_id_hash(secret: str, id_number: str) -> str:
    """The keyed hash of an ID number the platform indexes cases by (hex)."""
    message = ("hall-id:" + normalise(id_number)).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
