import pytest
from djmoney.money import Money

from forgecrm.catalog.configuration import validate_configuration

from .factories import OptionFactory, OptionGroupFactory, OptionRuleFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def air_conditioner():
    """가정용 에어컨 with an installation group (exactly one), extras (up to two) and a controller group."""
    product = ProductFactory(sku="RAC-WF-18", name="가정용 벽걸이 에어컨 18평형")
    install = OptionGroupFactory(product=product, name="설치 방식", required=True, min_selections=1, max_selections=1)
    extras = OptionGroupFactory(product=product, name="추가 옵션", min_selections=0, max_selections=2)
    controls = OptionGroupFactory(product=product, name="리모컨", min_selections=0, max_selections=None)
    return {
        "product": product,
        "standard": OptionFactory(group=install, sku="INST-STD", name="기본 설치"),
        "wall": OptionFactory(group=install, sku="INST-WALL", name="벽 타공 설치", price_delta=Money(80_000, "KRW")),
        "wifi": OptionFactory(group=extras, sku="EXT-WIFI", name="Wi-Fi 모듈"),
        "filter": OptionFactory(group=extras, sku="EXT-FILTER", name="미세먼지 필터"),
        "pipe": OptionFactory(group=extras, sku="EXT-PIPE", name="배관 연장 5m"),
        "smart_remote": OptionFactory(group=controls, sku="CTL-SMART", name="스마트 리모컨"),
        "basic_remote": OptionFactory(group=controls, sku="CTL-BASIC", name="기본 리모컨"),
    }


def ids(*options):
    return [option.pk for option in options]


def test_a_valid_configuration_has_no_errors(air_conditioner):
    c = air_conditioner
    assert validate_configuration(c["product"], ids(c["standard"], c["wifi"])) == []


def test_required_group_and_minimum(air_conditioner):
    c = air_conditioner
    errors = validate_configuration(c["product"], [])
    assert errors == ["Choose an option in “설치 방식”."]


def test_maximum_per_group(air_conditioner):
    c = air_conditioner
    errors = validate_configuration(c["product"], ids(c["standard"], c["wall"], c["wifi"], c["filter"], c["pipe"]))
    assert "Choose at most 1 options in “설치 방식” (2 chosen)." in errors
    assert "Choose at most 2 options in “추가 옵션” (3 chosen)." in errors
    assert len(errors) == 2


def test_minimum_above_one(air_conditioner):
    c = air_conditioner
    c["smart_remote"].group.min_selections = 2
    c["smart_remote"].group.save()
    errors = validate_configuration(c["product"], ids(c["standard"], c["smart_remote"]))
    assert errors == ["Choose at least 2 options in “리모컨” (1 chosen)."]


def test_requires_between_options(air_conditioner):
    c = air_conditioner
    OptionRuleFactory(product=c["product"], option=c["smart_remote"], kind="requires", target_option=c["wifi"])

    errors = validate_configuration(c["product"], ids(c["standard"], c["smart_remote"]))
    assert errors == ["스마트 리모컨 (CTL-SMART) requires Wi-Fi 모듈 (EXT-WIFI)."]
    assert validate_configuration(c["product"], ids(c["standard"], c["smart_remote"], c["wifi"])) == []
    # The rule only fires when its option is chosen.
    assert validate_configuration(c["product"], ids(c["standard"], c["basic_remote"])) == []


def test_excludes_between_options(air_conditioner):
    c = air_conditioner
    OptionRuleFactory(product=c["product"], option=c["wall"], kind="excludes", target_option=c["pipe"])

    errors = validate_configuration(c["product"], ids(c["wall"], c["pipe"]))
    assert errors == ["벽 타공 설치 (INST-WALL) cannot be combined with 배관 연장 5m (EXT-PIPE)."]
    assert validate_configuration(c["product"], ids(c["standard"], c["pipe"])) == []


def test_product_rules_are_checked_against_the_rest_of_the_quote(air_conditioner):
    c = air_conditioner
    indoor = ProductFactory(sku="SAC-IU-4WAY", name="시스템 에어컨 실내기 4way")
    purifier = ProductFactory(sku="AP-H-100", name="공기청정기 100㎡")
    OptionRuleFactory(product=c["product"], option=None, kind="requires", target_product=indoor)
    OptionRuleFactory(product=c["product"], option=c["filter"], kind="excludes", target_product=purifier)

    chosen = ids(c["standard"], c["filter"])
    assert validate_configuration(c["product"], chosen) == []  # no quote given: product rules wait for the quote
    errors = validate_configuration(c["product"], chosen, quote_product_ids=[purifier.pk])
    assert errors == [
        "가정용 벽걸이 에어컨 18평형 requires 시스템 에어컨 실내기 4way (SAC-IU-4WAY).",
        "미세먼지 필터 (EXT-FILTER) cannot be combined with 공기청정기 100㎡ (AP-H-100).",
    ]
    assert validate_configuration(c["product"], ids(c["standard"]), quote_product_ids=[indoor.pk]) == []


def test_unknown_and_inactive_options_are_errors(air_conditioner):
    c = air_conditioner
    other = OptionFactory(sku="OTHER-1")  # belongs to another product
    c["wifi"].is_active = False
    c["wifi"].save()

    errors = validate_configuration(c["product"], ids(c["standard"], c["wifi"], other))
    assert errors == [f"Options #{c['wifi'].pk}, #{other.pk} are not available for 가정용 벽걸이 에어컨 18평형."]


def test_rules_on_withdrawn_options_are_dormant(air_conditioner):
    c = air_conditioner
    OptionRuleFactory(product=c["product"], option=c["smart_remote"], kind="requires", target_option=c["wifi"])
    c["wifi"].is_active = False
    c["wifi"].save()
    assert validate_configuration(c["product"], ids(c["standard"], c["smart_remote"])) == []
