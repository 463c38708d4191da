"""How the io readers tell JSON from CSV (issue 18 item 2: one home for the rule the
contact export reader and the call export readers used to write twice)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from campaignkit.io._source import is_decoded, peek_json

lines = st.lists(st.sampled_from(["", "  \n", "\n", "[\n", " [1]\n", "a,b\n", "{}\n"]), max_size=6)


@given(lines)
def test_peek_json_puts_every_line_back_and_looks_at_the_first_non_blank_one(
    given_lines: list[str],
) -> None:
    chained, is_json = peek_json(iter(given_lines))
    assert list(chained) == given_lines
    first = next((line for line in given_lines if line.strip()), "")
    assert is_json == first.lstrip().startswith("[")


def test_decoded_json_is_a_dict_or_a_list_that_is_not_lines_of_text() -> None:
    assert is_decoded({"calls": []})
    assert is_decoded([])
    assert is_decoded([{"id": "1"}])
    for text_lines in (["a,b\n"], [b"a,b\n"], [bytearray(b"a,b\n")]):
        assert not is_decoded(text_lines)
    assert not is_decoded("[]")
    assert not is_decoded(b"[]")
