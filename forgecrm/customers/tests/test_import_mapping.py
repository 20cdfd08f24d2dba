"""Header recognition (Korean and English) and Korean address splitting."""

import pytest

from forgecrm.customers.imports.addresses import canonical_sido, split_address
from forgecrm.customers.imports.mapping import Target, clean_mapping, guess_mapping, header_key


def mapped(headers, target=Target.ACCOUNTS):
    mapping = guess_mapping(headers, target)
    return {headers[int(index)]: key for index, key in mapping.items()}


def test_korean_account_headers():
    headers = [
        "상호",
        "사업자번호",
        "대표전화",
        "이메일",
        "도로명주소",
        "시·도",
        "시/군/구",
        "우편번호",
        "업종",
        "외부ID",
        "비고",
    ]
    assert mapped(headers) == {
        "상호": "account.name",
        "사업자번호": "account.brn",
        "대표전화": "account.phone",
        "이메일": "account.email",
        "도로명주소": "account.road_address",
        "시·도": "account.sido",
        "시/군/구": "account.sigungu",
        "우편번호": "account.postal_code",
        "업종": "account.industry",
        "외부ID": "account.external_id",
        "비고": "account.description",
    }


def test_english_and_salesforce_account_headers():
    headers = [
        "Id",
        "Account Name",
        "BRN",
        "Phone",
        "BillingStreet",
        "BillingState",
        "BillingCity",
        "BillingPostalCode",
    ]
    assert mapped(headers) == {
        "Id": "account.external_id",
        "Account Name": "account.name",
        "BRN": "account.brn",
        "Phone": "account.phone",
        "BillingStreet": "account.road_address",
        "BillingState": "account.sido",
        "BillingCity": "account.sigungu",
        "BillingPostalCode": "account.postal_code",
    }


def test_salesforce_dataloader_template_headers():
    headers = ["NAME", "TYPE", "PHONE", "ACCOUNTNUMBER__C", "WEBSITE", "ANNUALREVENUE", "ORACLE_ID__C"]
    assert mapped(headers) == {
        "NAME": "account.name",
        "PHONE": "account.phone",
        "WEBSITE": "account.website",
        "ANNUALREVENUE": "account.annual_revenue",
        "ORACLE_ID__C": "account.external_id",
    }


def test_public_data_headers_are_recognised_by_their_korean_suffix():
    headers = ["개방시설명", "휴관일", "소재지도로명주소", "소재지지번주소", "사용안내전화번호", "위도"]
    assert mapped(headers) == {
        "개방시설명": "account.name",
        "소재지도로명주소": "account.road_address",
        "소재지지번주소": "account.lot_address",
        "사용안내전화번호": "account.phone",
    }


def test_a_code_column_is_not_taken_for_an_external_id_by_suffix():
    assert mapped(["회사명", "업종코드"]) == {"회사명": "account.name"}


def test_accounts_and_contacts_in_one_file():
    headers = ["거래처명", "대표전화", "담당자명", "직함", "부서", "휴대폰", "이메일", "전화번호"]
    assert mapped(headers, Target.BOTH) == {
        "거래처명": "account.name",
        "대표전화": "account.phone",
        "담당자명": "contact.full_name",
        "직함": "contact.title",
        "부서": "contact.department",
        "휴대폰": "contact.mobile",
        "이메일": "contact.email",
        "전화번호": "contact.phone",
    }


def test_salesforce_contact_export():
    headers = ["Id", "AccountId", "FirstName", "LastName", "Title", "Department", "Email", "Phone", "MobilePhone"]
    assert mapped(headers, Target.CONTACTS) == {
        "Id": "contact.external_id",
        "AccountId": "account.external_id",
        "FirstName": "contact.first_name",
        "LastName": "contact.last_name",
        "Title": "contact.title",
        "Department": "contact.department",
        "Email": "contact.email",
        "Phone": "contact.phone",
        "MobilePhone": "contact.mobile",
    }


def test_explicit_names_win_over_generic_ones_whatever_the_column_order():
    # "Name" comes first but is generic; 회사명 and 성명 name their fields exactly, so they keep them.
    assert mapped(["Name", "회사명", "성명"], Target.BOTH) == {"회사명": "account.name", "성명": "contact.full_name"}
    assert mapped(["Name", "성명"], Target.BOTH) == {"Name": "account.name", "성명": "contact.full_name"}


def test_header_key_folds_spacing_punctuation_and_notes():
    assert header_key(" Billing Postal Code ") == "billingpostalcode"
    assert header_key("사업자등록번호(10자리)") == "사업자등록번호"
    assert header_key("Oracle_Id__c") == "oracleid"
    assert header_key("Ｅｍａｉｌ") == "email"


def test_clean_mapping_keeps_known_fields_once_and_real_columns_only():
    headers = ["A", "B", "C"]
    raw = {"0": "account.name", "1": "account.name", "2": "contact.email", "7": "account.brn"}
    assert clean_mapping(raw, headers, Target.ACCOUNTS) == {"0": "account.name"}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("서울특별시 강남구 테헤란로 152", ("서울특별시", "강남구")),
        ("서울 강남구 테헤란로 152", ("서울특별시", "강남구")),
        ("경기 수원시 영통구 삼성로 129", ("경기도", "수원시 영통구")),
        ("경기도 화성시 동탄대로 1", ("경기도", "화성시")),
        ("강원도 평창군 평창읍 평창중앙로 67", ("강원특별자치도", "평창군")),
        ("강원특별자치도 춘천시 중앙로 1", ("강원특별자치도", "춘천시")),
        ("전라북도 군산시 대학로 1", ("전북특별자치도", "군산시")),
        ("전북특별자치도 전주시 완산구 효자로 225", ("전북특별자치도", "전주시 완산구")),
        ("세종특별자치시 한누리대로 2130", ("세종특별자치시", "")),
        ("제주 제주시 문연로 6", ("제주특별자치도", "제주시")),
        ("충남 예산군 예산읍 발연리 94-1", ("충청남도", "예산군")),
        ("부산광역시 사하구 하단동 1149-12", ("부산광역시", "사하구")),
        ("Gangnam-daero 1, Seoul", ("", "")),
        ("", ("", "")),
    ],
)
def test_split_address(address, expected):
    assert split_address(address) == expected


def test_all_seventeen_sido_have_one_spelling():
    short = [
        "서울",
        "부산",
        "대구",
        "인천",
        "광주",
        "대전",
        "울산",
        "세종",
        "경기",
        "강원",
        "충북",
        "충남",
        "전북",
        "전남",
        "경북",
        "경남",
        "제주",
    ]
    names = {canonical_sido(form) for form in short}
    assert len(names) == 17
    assert canonical_sido("경상남도") == "경상남도"
    assert canonical_sido("California") == "California"
