from ..models import Territory


def _matches(territory: Territory, sido: str, sigungu: str, industry: str, employees: int | None) -> bool:
    if territory.sido and territory.sido != sido:
        return False
    if territory.sigungu and territory.sigungu != sigungu:
        return False
    if territory.industry and territory.industry != industry:
        return False
    if territory.min_employees is not None and (employees is None or employees < territory.min_employees):
        return False
    return not (territory.max_employees is not None and (employees is None or employees > territory.max_employees))


def match_territory(
    *, sido: str = "", sigungu: str = "", industry: str = "", employees: int | None = None, territories=None
) -> Territory | None:
    """The most specific territory whose rule matches (most criteria, then lowest priority, then deepest)."""
    candidates = territories if territories is not None else list(Territory.objects.all())
    matching = [t for t in candidates if t.specificity and _matches(t, sido, sigungu, industry, employees)]
    if not matching:
        return None
    return min(matching, key=lambda t: (-t.specificity, t.priority, -t.path.count("/"), t.pk))
