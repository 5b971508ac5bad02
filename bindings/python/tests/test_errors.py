"""The mapping between the library's errors and Python exceptions."""

import pytest

import dialer

ERRC_CLASSES = {
    "invalid_transition": dialer.InvalidTransition,
    "not_found": dialer.NotFound,
    "conflict": dialer.Conflict,
    "unavailable": dialer.Unavailable,
    "timeout": dialer.Timeout,
    "invalid_argument": dialer.InvalidArgument,
    "protocol_error": dialer.ProtocolError,
    "storage_error": dialer.StorageError,
    "refused_by_policy": dialer.PolicyViolation,
}


def test_hierarchy() -> None:
    assert issubclass(dialer.DialerError, Exception)
    for code, cls in ERRC_CLASSES.items():
        assert issubclass(cls, dialer.DialerError)
        assert cls.code == code
        assert cls.category == "dialer"
        assert cls.__module__ == "dialer"
    assert dialer.DialerError.code is None


def test_every_errc_has_its_class() -> None:
    assert set(dialer.Errc.__members__) == set(ERRC_CLASSES)
    for name, member in dialer.Errc.__members__.items():
        assert str(member) == name
        exc = dialer.Error(member, "detail").to_exception()
        assert type(exc) is ERRC_CLASSES[name]
        assert (exc.code, exc.detail, exc.category) == (name, "detail", "dialer")
        assert exc.rule is None
        assert str(exc) == f"{name}: detail"


def test_engine_errors_raise_the_mapped_class() -> None:
    with pytest.raises(dialer.InvalidArgument) as raised:
        dialer.validate_campaign(dialer.Campaign(id=0, name="x"))
    exc = raised.value
    assert exc.code == "invalid_argument"
    assert "id" in exc.detail
    assert str(exc) == f"invalid_argument: {exc.detail}"
    assert exc.args == (str(exc),)


def test_policy_violation_carries_the_rule() -> None:
    with pytest.raises(dialer.DialerError) as raised:
        dialer.validate_prefix("9#a")
    exc = raised.value
    assert type(exc) is dialer.PolicyViolation
    assert exc.code == exc.rule == "prefix_invalid_character"
    assert exc.category == "dialer.dial_rule"
    assert exc.detail and exc.detail in str(exc)


def test_exceptions_can_be_raised_from_python() -> None:
    exc = dialer.NotFound("no lead 7")
    assert (exc.code, exc.detail, exc.rule) == ("not_found", "no lead 7", None)
    assert str(exc) == "not_found: no lead 7"
    exc = dialer.PolicyViolation("typed a URI", code="number_invalid_character")
    assert exc.rule == "number_invalid_character"
    assert exc.category == "dialer.dial_rule"
    exc = dialer.PolicyViolation("quiet hours")
    assert (exc.code, exc.rule, exc.category) == ("refused_by_policy", None, "dialer")
    exc = dialer.DialerError()
    assert (exc.code, exc.detail) == (None, "")
    with pytest.raises(dialer.Unavailable):
        raise dialer.Unavailable("ARI down")


def test_error_values() -> None:
    e = dialer.Error(dialer.Errc.conflict, "duplicate id")
    assert (e.code, e.category, e.detail) == ("conflict", "dialer", "duplicate id")
    assert e.message() == "conflict: duplicate id"
    assert not e.is_policy_refusal()
    assert dialer.Error("refused_by_policy").is_policy_refusal()
    assert e == dialer.Error("conflict", "duplicate id")
    assert e != dialer.Error("conflict", "other")
    assert e != "conflict"
    assert repr(e) == "Error(code='conflict', detail='duplicate id')"
    e.detail = "changed"
    assert e.message() == "conflict: changed"
    with pytest.raises(ValueError):
        dialer.Error("no_such_code")


def test_errors_in_events_are_values() -> None:
    failed = dialer.OriginateFailed(channel=3, error=dialer.Error("unavailable", "503"))
    assert failed.error.code == "unavailable"
    failed.error.detail = "504"  # attributes of class type are references into the event
    assert failed.error.detail == "504"
    alarm = dialer.Alarm(what="x", error=dialer.Error(dialer.DialRule.dial_string_mismatch))
    assert alarm.error.to_exception().rule == "dial_string_mismatch"
