"""Case states and the transitions between them, with a plain reason for each refusal."""
from __future__ import annotations

from collections import deque

import pytest

from app.domain.workflow import (OPEN_STATUSES, STATUS_LABELS, TRANSITIONS, Status, Transition,
                                 TransitionRefused, allowed_targets, can_move, check_transition)

S = Status

NORMAL_PATH = [S.RECEIVED, S.ACKNOWLEDGED, S.THRESHOLD_CHECK, S.THRESHOLD_MET,
               S.INFORMATION_GATHERING, S.PANEL_SCHEDULED, S.REVIEWED, S.OUTCOME_SENT,
               S.SECONDARY_REVIEW_REQUESTED, S.SECONDARY_REVIEW_COMPLETED, S.CLOSED]


def test_status_values_match_the_interchange_format() -> None:
    # application-format.md lists exactly these values for `status`.
    assert [s.value for s in Status] == [
        "received", "awaiting_consent", "not_accepted", "withdrawn", "acknowledged",
        "threshold_check", "threshold_met", "threshold_not_met", "information_gathering",
        "panel_scheduled", "reviewed", "outcome_sent", "secondary_review_requested",
        "secondary_review_completed", "closed"]


def test_every_status_has_transitions_and_a_label() -> None:
    assert set(TRANSITIONS) == set(Status)
    assert set(STATUS_LABELS) == set(Status)
    for status in Status:
        assert status.label and status.label[0].isupper()
    assert S.AWAITING_CONSENT.label == "Awaiting consent"


def test_every_target_is_a_status() -> None:
    for targets in TRANSITIONS.values():
        assert targets <= set(Status)


def test_no_status_moves_to_itself() -> None:
    for status, targets in TRANSITIONS.items():
        assert status not in targets


@pytest.mark.parametrize(("source", "target"), list(zip(NORMAL_PATH, NORMAL_PATH[1:])))
def test_normal_path_is_allowed(source: Status, target: Status) -> None:
    assert can_move(source, target)
    assert target in allowed_targets(source)
    assert check_transition(source, target) == Transition(source, target)


@pytest.mark.parametrize(("source", "target"), [
    (S.AWAITING_CONSENT, S.RECEIVED),            # consent recorded
    (S.RECEIVED, S.AWAITING_CONSENT),
    (S.RECEIVED, S.NOT_ACCEPTED),
    (S.ACKNOWLEDGED, S.THRESHOLD_MET),           # decided without a separate check
    (S.ACKNOWLEDGED, S.THRESHOLD_NOT_MET),
    (S.THRESHOLD_CHECK, S.THRESHOLD_NOT_MET),
    (S.THRESHOLD_MET, S.PANEL_SCHEDULED),
    (S.THRESHOLD_NOT_MET, S.SECONDARY_REVIEW_REQUESTED),
    (S.THRESHOLD_NOT_MET, S.CLOSED),
    (S.NOT_ACCEPTED, S.SECONDARY_REVIEW_REQUESTED),
    (S.NOT_ACCEPTED, S.CLOSED),
    (S.OUTCOME_SENT, S.CLOSED),
    (S.REVIEWED, S.PANEL_SCHEDULED),             # a second panel meeting
    (S.PANEL_SCHEDULED, S.INFORMATION_GATHERING),
    (S.SECONDARY_REVIEW_COMPLETED, S.PANEL_SCHEDULED),  # referred back
    (S.WITHDRAWN, S.CLOSED),
])
def test_other_sensible_steps_are_allowed(source: Status, target: Status) -> None:
    assert check_transition(source, target) == Transition(source, target)


@pytest.mark.parametrize("source", [S.RECEIVED, S.AWAITING_CONSENT, S.ACKNOWLEDGED,
                                    S.THRESHOLD_CHECK, S.THRESHOLD_MET, S.INFORMATION_GATHERING,
                                    S.PANEL_SCHEDULED, S.REVIEWED])
def test_a_live_case_can_be_withdrawn(source: Status) -> None:
    assert can_move(source, S.WITHDRAWN)


class TestRefusals:
    def test_panel_before_threshold_met(self) -> None:
        with pytest.raises(TransitionRefused) as info:
            check_transition(S.THRESHOLD_CHECK, S.PANEL_SCHEDULED)
        assert str(info.value) == ("Cannot move from 'Threshold check' to 'Panel scheduled': a panel "
                                   "can only be arranged once the threshold has been decided as met.")

    def test_closing_before_the_outcome_letter(self) -> None:
        with pytest.raises(TransitionRefused) as info:
            check_transition(S.REVIEWED, S.CLOSED)
        message = str(info.value)
        assert message.startswith("Cannot move from 'Reviewed' to 'Closed'")
        assert "outcome letter" in message
        assert "has been sent" in message

    @pytest.mark.parametrize("target", list(Status))
    def test_nothing_from_closed(self, target: Status) -> None:
        with pytest.raises(TransitionRefused, match="This case is closed; nothing more can be done"):
            check_transition(S.CLOSED, target)
        assert not can_move(S.CLOSED, target)
        assert allowed_targets(S.CLOSED) == frozenset()

    def test_panel_after_threshold_not_met(self) -> None:
        with pytest.raises(TransitionRefused, match="threshold has been decided as met"):
            check_transition(S.THRESHOLD_NOT_MET, S.PANEL_SCHEDULED)

    def test_threshold_before_acknowledgement(self) -> None:
        with pytest.raises(TransitionRefused, match="after the application has been acknowledged"):
            check_transition(S.RECEIVED, S.THRESHOLD_MET)

    def test_no_threshold_decision_while_awaiting_consent(self) -> None:
        for target in (S.THRESHOLD_MET, S.THRESHOLD_NOT_MET, S.THRESHOLD_CHECK):
            with pytest.raises(TransitionRefused):
                check_transition(S.AWAITING_CONSENT, target)

    def test_outcome_before_review(self) -> None:
        with pytest.raises(TransitionRefused, match="follows the panel's review"):
            check_transition(S.PANEL_SCHEDULED, S.OUTCOME_SENT)

    def test_information_gathering_before_threshold(self) -> None:
        with pytest.raises(TransitionRefused, match="only once the threshold is met"):
            check_transition(S.ACKNOWLEDGED, S.INFORMATION_GATHERING)

    def test_secondary_review_completed_before_requested(self) -> None:
        with pytest.raises(TransitionRefused, match="must be requested before it is completed"):
            check_transition(S.OUTCOME_SENT, S.SECONDARY_REVIEW_COMPLETED)

    def test_secondary_review_before_a_decision(self) -> None:
        with pytest.raises(TransitionRefused, match="once the applicant has had a decision"):
            check_transition(S.PANEL_SCHEDULED, S.SECONDARY_REVIEW_REQUESTED)

    def test_reviewed_without_a_panel(self) -> None:
        with pytest.raises(TransitionRefused, match="scheduled for"):
            check_transition(S.THRESHOLD_MET, S.REVIEWED)

    def test_acknowledging_twice(self) -> None:
        with pytest.raises(TransitionRefused, match="only a newly received application"):
            check_transition(S.THRESHOLD_CHECK, S.ACKNOWLEDGED)

    @pytest.mark.parametrize("source", [S.OUTCOME_SENT, S.THRESHOLD_NOT_MET, S.NOT_ACCEPTED,
                                        S.SECONDARY_REVIEW_REQUESTED])
    def test_a_decided_case_cannot_be_withdrawn(self, source: Status) -> None:
        with pytest.raises(TransitionRefused) as info:
            check_transition(source, S.WITHDRAWN)
        assert str(info.value) == f"A case that is {source.label.lower()} cannot be withdrawn."

    def test_withdrawn_case_only_closes(self) -> None:
        assert allowed_targets(S.WITHDRAWN) == frozenset({S.CLOSED})
        with pytest.raises(TransitionRefused, match="Cannot move from 'Withdrawn' to 'Acknowledged'"):
            check_transition(S.WITHDRAWN, S.ACKNOWLEDGED)

    def test_refusal_is_a_value_error(self) -> None:
        assert issubclass(TransitionRefused, ValueError)

    def test_every_refusal_has_a_message_naming_both_states_or_closed(self) -> None:
        for source in Status:
            for target in Status:
                if can_move(source, target):
                    continue
                with pytest.raises(TransitionRefused) as info:
                    check_transition(source, target)
                message = str(info.value)
                assert message.endswith(".")
                if source == S.CLOSED:
                    assert "closed" in message
                elif target == S.WITHDRAWN:
                    assert source.label.lower() in message
                else:
                    assert f"'{source.label}'" in message and f"'{target.label}'" in message


def _reachable(start: Status) -> set[Status]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in TRANSITIONS[todo.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_every_status_is_reachable_from_received() -> None:
    assert _reachable(S.RECEIVED) == set(Status)


def test_every_case_can_eventually_be_closed() -> None:
    for status in Status:
        assert S.CLOSED in _reachable(status)


def test_open_statuses() -> None:
    assert S.CLOSED not in OPEN_STATUSES
    assert S.WITHDRAWN not in OPEN_STATUSES
    assert S.RECEIVED in OPEN_STATUSES
    assert S.AWAITING_CONSENT in OPEN_STATUSES
    assert len(OPEN_STATUSES) == len(Status) - 2
