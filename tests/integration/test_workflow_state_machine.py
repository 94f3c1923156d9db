"""Random sequences of edits and transitions (hypothesis state machine) keep the
workflow's invariants: a published revision never changes, an entry has exactly
one live published revision whose content is what readers see, and every
transition that happened is recorded (transition log and audit log)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from api.models import AuditEvent, Entry, EntryRevision, EntryTransition
from tests.factories import bearer, create_entry, curator_token, member_token

TRANSITION_EVENTS = (
    "entry.published",
    "entry.submitted",
    "entry.approved",
    "entry.changes_requested",
    "entry.rejected",
    "entry.retracted",
    "entry.restored",
)


@pytest.mark.slow
def test_workflow_invariants_hold_for_random_sequences(app: FastAPI, client: TestClient) -> None:
    owner = member_token(app, "ngo-a", "publisher")
    curator = curator_token(app)

    class Workflow(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.entry_id = create_entry(client, owner, visibility="public")["id"]
            self.frozen: dict[int, Any] = {}
            self.successes = 0

        def _post(self, action: str, token: str, **body: Any) -> None:
            response = client.post(
                f"/v1/entries/{self.entry_id}/{action}", json=body or None,
                headers=bearer(token),
            )  # fmt: skip
            # 404: a curator cannot see a draft; 409: not allowed in this state
            assert response.status_code in (200, 404, 409), response.text
            if response.status_code == 200:
                self.successes += 1

        @rule(
            title=st.text(
                alphabet=st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=30
            ).filter(str.strip),
            visibility=st.sampled_from(["public", "network", "partners", "private"]),
        )
        def edit(self, title: str, visibility: str) -> None:
            current = client.get(f"/v1/entries/{self.entry_id}", headers=bearer(owner)).json()
            response = client.patch(
                f"/v1/entries/{self.entry_id}",
                json={"title": title, "visibility": visibility},
                headers={**bearer(owner), "If-Match": f'"{current["version"]}"'},
            )
            assert response.status_code in (200, 409), response.text

        @rule()
        def submit(self) -> None:
            self._post("submit", owner)

        @rule()
        def publish(self) -> None:
            self._post("publish", owner)

        @rule()
        def approve(self) -> None:
            self._post("approve", curator)

        @rule()
        def request_changes(self) -> None:
            self._post("request-changes", curator, comment="please revise")

        @rule()
        def reject(self) -> None:
            self._post("reject", curator, comment="no")

        @rule(by_curator=st.booleans())
        def retract(self, by_curator: bool) -> None:
            self._post("retract", curator if by_curator else owner, reason="other")

        @rule()
        def restore(self) -> None:
            self._post("restore", curator)

        @invariant()
        def published_revisions_never_change(self) -> None:
            with app.state.session_factory() as session:
                rows = session.scalars(
                    select(EntryRevision).where(
                        EntryRevision.entry_id == self.entry_id,
                        EntryRevision.published_at.is_not(None),
                    )
                ).all()
                for row in rows:
                    snapshot = (row.content, row.published_at)
                    assert self.frozen.setdefault(row.number, snapshot) == snapshot
                assert set(self.frozen) == {row.number for row in rows}

        @invariant()
        def one_live_published_revision(self) -> None:
            with app.state.session_factory() as session:
                entry = session.get(Entry, self.entry_id)
                assert entry is not None
                if entry.status == "published":
                    assert entry.published_revision is not None
                    live = session.scalar(
                        select(EntryRevision).where(
                            EntryRevision.entry_id == entry.id,
                            EntryRevision.number == entry.published_revision,
                        )
                    )
                    assert live is not None
                    assert live.published_at is not None
                    # Readers see the live revision's content. (Visibility is sharing
                    # metadata: narrowing applies at once, so it may differ from the
                    # snapshot taken when the revision was published.)
                    assert live.content["title"] == entry.title
                if entry.published_revision is None:
                    assert entry.status != "published"

        @invariant()
        def every_transition_recorded(self) -> None:
            with app.state.session_factory() as session:
                logged = session.scalar(
                    select(func.count(EntryTransition.id)).where(
                        EntryTransition.entry_id == self.entry_id
                    )
                )
                audited = session.scalar(
                    select(func.count(AuditEvent.id)).where(
                        AuditEvent.entry_id == self.entry_id,
                        AuditEvent.action.in_(TRANSITION_EVENTS),
                    )
                )
            assert logged == audited == self.successes

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
