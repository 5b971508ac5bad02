"""Number normalisation and the dial-prefix policy, as seen from Python: every
refusal is a PolicyViolation naming its rule."""

import pytest

import dialer
from dialer import DialRule, NumberFormat, NumberPlan, PhoneNumber

US = NumberPlan()
US_AND_GB = NumberPlan(region="US", allowed_regions=["GB"])


def rule_of(call, *args) -> str:
    with pytest.raises(dialer.PolicyViolation) as refused:
        call(*args)
    assert refused.value.category == "dialer.dial_rule"
    assert refused.value.code == refused.value.rule
    return refused.value.rule


@pytest.mark.parametrize("raw", ["4155550100", "415-555-0100", "(415) 555-0100", "415.555.0100",
                                 "+1 415 555 0100", " 1 415 555 0100 "])
def test_normalize_number_accepts_the_usual_spellings(raw: str) -> None:
    assert dialer.normalize_number(raw) == PhoneNumber(e164="+14155550100", region="US")
    assert dialer.normalize_number(raw, US) == dialer.normalize_number(raw, plan=US)


@pytest.mark.parametrize("raw, rule", [
    ("", "number_empty"),
    ("   ", "number_empty"),
    ("4155550100x", "number_invalid_character"),
    ("tel:+14155550100", "number_invalid_character"),
    ("4155550100&PJSIP/evil", "number_invalid_character"),
    ("PJSIP/4155550100@trunk", "number_invalid_character"),
    ("\u0664\u0661\u0665", "number_invalid_character"),  # Arabic-Indic digits are not converted
    ("1" * (dialer.MAX_NUMBER_INPUT_LENGTH + 1), "number_too_long"),
    ("+44 20 7946 0000", "region_not_allowed"),
])
def test_normalize_number_refusals_name_their_rule(raw: str, rule: str) -> None:
    assert rule_of(dialer.normalize_number, raw) == rule


def test_number_plan_regions() -> None:
    uk = dialer.normalize_number("+44 20 7946 0000", US_AND_GB)
    assert uk == PhoneNumber(e164="+442079460000", region="GB")
    assert dialer.normalize_number("020 7946 0000", NumberPlan(region="GB")) == uk
    dialer.check_plan(uk, US_AND_GB)
    assert rule_of(dialer.check_plan, uk, US) == "region_not_allowed"


def test_format_for_dialing() -> None:
    us = dialer.normalize_number("4155550100")
    uk = dialer.normalize_number("+44 20 7946 0000", US_AND_GB)
    assert dialer.format_for_dialing(us, NumberFormat.e164, US) == "14155550100"
    assert dialer.format_for_dialing(us, NumberFormat.national, US) == "4155550100"
    assert dialer.format_for_dialing(uk, NumberFormat.e164, US_AND_GB) == "442079460000"
    assert dialer.format_for_dialing(uk, NumberFormat.from_region, US_AND_GB) == "011442079460000"
    assert rule_of(dialer.format_for_dialing, uk, NumberFormat.national, US_AND_GB) == \
        "region_not_allowed"


def test_last_ten_digits() -> None:
    assert dialer.last_ten_digits("+14155550100") == "4155550100"
    assert dialer.last_ten_digits("123") == "123"


@pytest.mark.parametrize("prefix", ["", "9", "*9#", "1" * dialer.MAX_DIAL_PREFIX_LENGTH])
def test_valid_prefixes(prefix: str) -> None:
    assert dialer.validate_prefix(prefix) is None


def test_invalid_prefixes() -> None:
    assert rule_of(dialer.validate_prefix, "9a") == "prefix_invalid_character"
    assert rule_of(dialer.validate_prefix, "9 ") == "prefix_invalid_character"
    assert rule_of(dialer.validate_prefix, "1" * (dialer.MAX_DIAL_PREFIX_LENGTH + 1)) == \
        "prefix_too_long"


@pytest.mark.parametrize("template", ["PJSIP/{dial}@trunk", "Local/{dial}@customers",
                                      "SIP/gw-1/{dial}"])
def test_valid_dial_templates(template: str) -> None:
    dialer.validate_dial_template(template)


@pytest.mark.parametrize("template", ["PJSIP/trunk", "{dial}", "PJSIP/{dial}{dial}",
                                      "PJSIP/{dial}&SIP/x", "PJSIP/{dial}@trunk,30"])
def test_invalid_dial_templates(template: str) -> None:
    assert rule_of(dialer.validate_dial_template, template) == "template_invalid"


@pytest.fixture
def policy() -> dialer.DialPolicy:
    p = dialer.DialPolicy()
    p.save_carrier(dialer.Carrier(id=1, name="trunk-a", dial_prefix="9"))
    p.save_carrier(dialer.Carrier(id=2, name="trunk-b", dial_prefix="8",
                                  dial_template="Local/{dial}@customers"))
    return p


def test_carrier_registry(policy: dialer.DialPolicy) -> None:
    assert [c.name for c in policy.carriers()] == ["trunk-a", "trunk-b"]
    assert policy.find_carrier(2).dial_template == "Local/{dial}@customers"
    assert policy.find_carrier(3) is None
    # find_carrier returns a copy: changing it changes nothing.
    policy.find_carrier(1).dial_prefix = "7"
    assert policy.find_carrier(1).dial_prefix == "9"

    assert rule_of(policy.save_carrier, dialer.Carrier(id=3, name="c", dial_prefix="9")) == \
        "carrier_prefix_duplicate"
    assert rule_of(policy.save_carrier, dialer.Carrier(id=3, name="c", dial_prefix="91")) == \
        "carrier_prefix_overlap"
    assert rule_of(policy.save_carrier, dialer.Carrier(id=3, name="", dial_prefix="7")) == \
        "carrier_name_invalid"
    assert rule_of(policy.save_carrier, dialer.Carrier(id=3, name="c", dial_prefix="7",
                                                       dial_template="PJSIP/x")) == \
        "template_invalid"
    with pytest.raises(dialer.InvalidArgument):
        policy.save_carrier(dialer.Carrier(id=0, name="c", dial_prefix="7"))
    assert len(policy.carriers()) == 2

    policy.remove_carrier(2)
    with pytest.raises(dialer.NotFound):
        policy.remove_carrier(2)


def test_routes(policy: dialer.DialPolicy) -> None:
    policy.validate_route(dialer.Route(carrier=1))
    policy.validate_route(dialer.Route(carrier=1, campaign_prefix="9"))
    assert rule_of(policy.validate_route, dialer.Route(carrier=1, campaign_prefix="8")) == \
        "campaign_prefix_mismatch"
    assert rule_of(policy.validate_route, dialer.Route(carrier=5)) == "unknown_carrier"


def test_plan_number_and_verify(policy: dialer.DialPolicy) -> None:
    route = dialer.Route(carrier=1, plan=US)
    target = policy.plan_number(route, dialer.normalize_number("4155550100"))
    assert target == dialer.DialTarget(number=PhoneNumber("+14155550100", "US"), prefix="9",
                                       dialled="914155550100",
                                       dial_string="PJSIP/914155550100@trunk", carrier=1)
    policy.verify(route, target)

    # A dial string changed after planning is caught by the last check.
    target.dial_string = "PJSIP/914155550100@trunk&PJSIP/evil"
    assert rule_of(policy.verify, route, target) == "dial_string_mismatch"
    target = policy.plan_number(route, dialer.normalize_number("4155550100"))
    target.dialled = "814155550100"
    assert rule_of(policy.verify, route, target) == "dial_string_mismatch"


def test_plan_typed(policy: dialer.DialPolicy) -> None:
    route = dialer.Route(carrier=1)
    assert policy.plan_typed(route, "(415) 555-0100").dial_string == "PJSIP/914155550100@trunk"
    # The route's own prefix typed by the agent is dialled once.
    assert policy.plan_typed(route, "9 415 555 0100").dialled == "914155550100"
    # Another carrier's prefix is cross-route dialling.
    assert rule_of(policy.plan_typed, route, "8 415 555 0100") == "other_carrier_prefix"
    assert rule_of(policy.plan_typed, route, "415 555 0100 ext 5") == "number_invalid_character"
    other = dialer.Route(carrier=2)
    assert policy.plan_typed(other, "+1 415 555 0100").dial_string == \
        "Local/814155550100@customers"


def test_dial_rule_enum_matches_the_exception_codes() -> None:
    for name, member in DialRule.__members__.items():
        assert str(member) == name
        error = dialer.Error(member, "x")
        assert error.code == name
        assert error.category == "dialer.dial_rule"
        assert error.is_policy_refusal()
        exc = error.to_exception()
        assert isinstance(exc, dialer.PolicyViolation) and exc.rule == name
