import factory
from django.utils import timezone

from forgecrm.customers.models import Account, AccountKind, Consent, ConsentPurpose, Contact
from forgecrm.customers.normalization import company_name_key, person_name_key
from forgecrm.platform.tests.factories import UserFactory

# Real 사업자등록번호 with a valid check digit (../shared/datasets/korean-business-numbers-reference).
VALID_BRNS = [
    "1208147521",
    "2208162517",
    "1248100998",
    "1078155843",
    "1248158485",
    "4872302072",
    "2208734425",
]


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"(주)한빛공조{n}")
    name_key = factory.LazyAttribute(lambda a: company_name_key(a.name))
    kind = AccountKind.CUSTOMER
    owner = factory.SubFactory(UserFactory)
    sido = "서울특별시"
    sigungu = "강남구"


class PartnerAccountFactory(AccountFactory):
    name = factory.Sequence(lambda n: f"대리점{n}")
    kind = AccountKind.PARTNER
    partner_type = "dealer"
    tier = "gold"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    full_name = factory.Sequence(lambda n: f"김민준{n}")
    name_key = factory.LazyAttribute(lambda c: person_name_key(c.full_name))
    email = factory.Sequence(lambda n: f"contact{n}@customer.kr")
    owner = factory.LazyAttribute(lambda c: c.account.owner)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    contact = factory.SubFactory(ContactFactory)
    purpose = ConsentPurpose.MARKETING_EMAIL
    granted = True
    recorded_at = factory.LazyFunction(timezone.now)
    source = "web form"
