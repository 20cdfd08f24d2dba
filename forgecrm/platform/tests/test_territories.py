import pytest

from forgecrm.platform.operations import create_territory, match_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def territories():
    seoul = create_territory(actor=None, name="서울", code="11", sido="서울특별시")
    return {
        "korea": create_territory(actor=None, name="전국", code="KR"),  # no rule: never matched by itself
        "seoul": seoul,
        "gangnam": create_territory(
            actor=None, name="강남", code="11680", parent=seoul, sido="서울특별시", sigungu="강남구"
        ),
        "seoul_hvac": create_territory(
            actor=None, name="서울 공조", code="11-HVAC", parent=seoul, sido="서울특별시", industry="HVAC", priority=50
        ),
        "enterprise": create_territory(actor=None, name="대기업", code="ENT", kind="size", min_employees=1000),
        "mid": create_territory(
            actor=None, name="중견", code="MID", kind="size", min_employees=300, max_employees=999, priority=10
        ),
        "busan": create_territory(actor=None, name="부산", code="26", sido="부산광역시", priority=200),
    }


def test_the_most_specific_rule_wins(territories):
    assert match_territory(sido="서울특별시", sigungu="강남구") == territories["gangnam"]
    assert match_territory(sido="서울특별시", sigungu="마포구") == territories["seoul"]
    assert match_territory(sido="부산광역시") == territories["busan"]
    assert match_territory(sido="제주특별자치도") is None


def test_priority_breaks_a_tie_of_equal_specificity(territories):
    # 강남 (sido+sigungu) and 서울 공조 (sido+industry) both have two criteria: the lower priority number wins.
    assert match_territory(sido="서울특별시", sigungu="강남구", industry="HVAC") == territories["seoul_hvac"]


def test_size_rules_respect_both_bounds(territories):
    assert match_territory(employees=1500) == territories["enterprise"]
    assert match_territory(employees=300) == territories["mid"]
    assert match_territory(employees=999) == territories["mid"]
    assert match_territory(employees=299) is None
    assert match_territory(employees=None) is None
    # A region rule (1 criterion) ties with a one-bound size rule; priority decides.
    assert match_territory(sido="부산광역시", employees=2000) == territories["enterprise"]


def test_candidates_can_be_passed_in_to_avoid_a_query(territories, django_assert_num_queries):
    candidates = list(territories.values())
    with django_assert_num_queries(0):
        assert match_territory(sido="서울특별시", territories=candidates) == territories["seoul"]
