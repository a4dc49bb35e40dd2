"""The audit guard (local_cache.audit.guard_detail) never reads a request id as personal data, and still catches a
real mobile or ID number written next to one (issue 14, item 3). Hypothesis, derandomised in conftest.py."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from local_cache.audit import guard_detail
from local_cache.errors import ValidationError

HEX = "0123456789abcdef"


@st.composite
def digit_heavy_uuid4(draw: st.DrawFn) -> str:
    """A uuid4 whose last group is (nearly) all digits: the ids that used to read as a mobile number ("…c14503721761").

    Random uuid4s hit this about 3 times in 10,000, too rarely for a property test to find on its own."""
    head = draw(st.text(HEX, min_size=12, max_size=12))  # the first 8 + 4 hex digits
    third = "4" + draw(st.text(HEX, min_size=3, max_size=3))  # version 4
    fourth = draw(st.sampled_from("89ab")) + draw(st.text(HEX, min_size=3, max_size=3))  # RFC 4122 variant
    # Eleven digits from 13-19 with a hex letter on one side: exactly what the mobile-number pattern reads.
    letter = draw(st.sampled_from("abcdef"))
    mobile = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    last = draw(st.sampled_from([letter + mobile, mobile + letter]))
    text = f"{head[:8]}-{head[8:]}-{third}-{fourth}-{last}"
    assert uuid.UUID(text).version == 4
    return text


# The ids this program makes: lookups' X-Request-Id (str(uuid4())), case ids (uuid4), the sync engine's request ids
# (uuid5 of case and version); in either case, as a gateway or another system might echo them.
REQUEST_IDS = st.one_of(
    st.uuids(version=4).map(str),
    digit_heavy_uuid4(),
    st.uuids(version=5).map(str),
    st.uuids().map(lambda u: str(u).upper()),
    digit_heavy_uuid4().map(str.upper),
)


def mobile_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        lambda second, rest: f"1{second}{rest}",
        st.sampled_from("3456789"),
        st.text("0123456789", min_size=9, max_size=9),
    )


def _check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def id_numbers() -> st.SearchStrategy[str]:
    body = st.builds(
        lambda area, birth, seq: f"{area}{birth:%Y%m%d}{seq:03d}",
        st.sampled_from(["370202", "110105", "440305"]),
        st.dates(),
        st.integers(0, 999),
    )
    return body.filter(lambda b: len(b) == 17).map(lambda b: b + _check_digit(b))


SEPARATORS = st.sampled_from([" ", "，", "：", "/", " 手机 ", ",", "; "])


@given(request_id=REQUEST_IDS)
def test_request_ids_pass_the_guard(request_id: str) -> None:
    guard_detail({"request_id": request_id})
    guard_detail({"note": f"补查 {request_id} 已答复", "nested": {"request_id": request_id}})


@given(request_id=REQUEST_IDS, mobile=mobile_numbers(), sep=SEPARATORS)
def test_a_mobile_number_next_to_a_request_id_is_caught(request_id: str, mobile: str, sep: str) -> None:
    with pytest.raises(ValidationError):
        guard_detail({"request_id": request_id, "note": f"{request_id}{sep}{mobile}"})


@given(request_id=REQUEST_IDS, id_number=id_numbers(), sep=SEPARATORS)
def test_an_id_number_next_to_a_request_id_is_caught(request_id: str, id_number: str, sep: str) -> None:
    with pytest.raises(ValidationError):
        guard_detail({"request_id": request_id, "note": f"{id_number}{sep}{request_id}"})
