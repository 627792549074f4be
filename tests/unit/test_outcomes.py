"""The outcome effects table: every refusal ends solicitation; suppression follows the code, not the path."""

from __future__ import annotations

from workbench.domain.codes import ALL_OUTCOMES, REFUSAL_OUTCOMES, LifecycleState
from workbench.domain.outcomes import effects_of


def test_every_refusal_ends_solicitation_and_nothing_else_does() -> None:
    for code in ALL_OUTCOMES:
        assert effects_of(code).ends_solicitation is (code in REFUSAL_OUTCOMES), code


def test_suppressions_and_states() -> None:
    assert effects_of("do_not_call").suppress_calls and not effects_of("do_not_call").email_opt_out
    assert (
        effects_of("unsubscribed").email_opt_out and not effects_of("unsubscribed").suppress_calls
    )  # an email unsubscribe never stops a call
    assert effects_of("wrong_number").retire_number
    assert effects_of("reactivated").state_after is LifecycleState.ACTIVE
    assert effects_of("complaint").state_after is LifecycleState.CHURNED
    assert effects_of("no_answer") == effects_of("not_a_code")
    quiet = effects_of("no_answer")
    assert not (
        quiet.suppress_calls
        or quiet.email_opt_out
        or quiet.retire_number
        or quiet.ends_solicitation
    )
    assert quiet.state_after is None
