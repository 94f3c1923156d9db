"""No per-person records: the schema has no place for data about participants
(issue "do no harm": aggregate indicators only — keep it so).

People appear in the schema only as *accounts* of members (an identity provider's
issuer and subject, and a display name). Any other table with a column that holds
a person's identifying attributes, or a table named after participants, fails here
and must be argued for in review."""

from __future__ import annotations

import re

from api.models import Base

PERSON_COLUMN = re.compile(
    r"(first|last|given|family|full|middle|maiden)_?name|surname|date_of_birth|birth|dob"
    r"|gender|sex|ethnic|religio|nationality|passport|national_id|id_number|phone|e?mail"
    r"|address|latitude|longitude|gps|photo|fingerprint|biometric|prisoner|detainee"
    r"|case_number|beneficiar|participant_id|person",
    re.IGNORECASE,
)
PERSON_TABLE = re.compile(r"participant|beneficiar|person|people|case|detainee|returnee", re.I)
# Where a person is a member of the node, not someone a program serves.
ACCOUNT_TABLES = {"account"}


class TestNoPersonLevelData:
    def test_no_column_holds_a_persons_identifying_attributes(self) -> None:
        offending = [
            f"{table.name}.{column.name}"
            for table in Base.metadata.sorted_tables
            if table.name not in ACCOUNT_TABLES
            for column in table.columns
            if PERSON_COLUMN.search(column.name)
        ]
        assert offending == []

    def test_no_table_is_about_participants(self) -> None:
        assert [t for t in Base.metadata.tables if PERSON_TABLE.search(t)] == []

    def test_the_pattern_would_catch_what_it_is_for(self) -> None:
        for name in ("date_of_birth", "first_name", "phone_number", "participant_id", "email"):
            assert PERSON_COLUMN.search(name), name

    def test_indicators_are_aggregates(self) -> None:
        columns = {c.name for c in Base.metadata.tables["indicator_value"].columns}
        assert columns == {"id", "entry_id", "code", "value", "note", "position"}
