"""Words the demo generator draws from: Korean names with their romanisation, company names, job titles.

Own word lists rather than Faker: they are stable across library versions (the demo stays deterministic), they
carry the romanisation that e-mail addresses need, and drawing from a tuple is cheap enough for a million rows.
"""

# Surnames with their share of the population in per mille (Statistics Korea, 2015 census), romanised as
# Koreans usually write them in e-mail addresses.
SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("김", "kim", 215), ("이", "lee", 147), ("박", "park", 84), ("최", "choi", 47), ("정", "jung", 43),
    ("강", "kang", 24), ("조", "cho", 21), ("윤", "yoon", 21), ("장", "jang", 20), ("임", "lim", 17),
    ("한", "han", 15), ("오", "oh", 15), ("서", "seo", 15), ("신", "shin", 14), ("권", "kwon", 14),
    ("황", "hwang", 14), ("안", "ahn", 14), ("송", "song", 13), ("전", "jeon", 11), ("홍", "hong", 11),
    ("유", "yoo", 11), ("고", "ko", 9), ("문", "moon", 9), ("양", "yang", 9), ("손", "son", 9),
    ("배", "bae", 8), ("백", "baek", 8), ("허", "heo", 6), ("남", "nam", 5), ("심", "shim", 5),
    ("노", "noh", 4), ("하", "ha", 4), ("곽", "kwak", 4), ("성", "sung", 4), ("차", "cha", 4),
    ("주", "joo", 4), ("우", "woo", 4), ("구", "koo", 4), ("민", "min", 3), ("진", "jin", 3),
    ("나", "na", 3), ("엄", "eom", 3), ("채", "chae", 3), ("원", "won", 3), ("천", "cheon", 2),
    ("방", "bang", 2), ("공", "kong", 2), ("현", "hyun", 2), ("함", "ham", 2), ("변", "byun", 2),
    ("염", "yeom", 1), ("여", "yeo", 1), ("추", "choo", 1), ("도", "do", 1), ("석", "seok", 1),
    ("설", "seol", 1), ("마", "ma", 1), ("길", "gil", 1), ("연", "yeon", 1), ("표", "pyo", 1),
    ("명", "myung", 1), ("기", "ki", 1), ("반", "ban", 1), ("왕", "wang", 1), ("금", "keum", 1),
    ("옥", "ok", 1), ("육", "yook", 1), ("인", "in", 1), ("탁", "tak", 1), ("국", "kook", 1),
    ("남궁", "namgoong", 1), ("황보", "hwangbo", 1), ("제갈", "jegal", 1), ("선우", "sunwoo", 1),
)  # fmt: skip

# Given names across the generations that are at work today (1960s-2000s births).
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("민준", "minjun"), ("서준", "seojun"), ("도윤", "doyun"), ("예준", "yejun"), ("시우", "siwoo"),
    ("하준", "hajun"), ("지호", "jiho"), ("주원", "juwon"), ("지훈", "jihoon"), ("현우", "hyunwoo"),
    ("준서", "junseo"), ("건우", "geonwoo"), ("우진", "woojin"), ("선우", "sunwoo"), ("서진", "seojin"),
    ("민재", "minjae"), ("현준", "hyunjun"), ("연우", "yeonwoo"), ("정우", "jungwoo"), ("승우", "seungwoo"),
    ("승현", "seunghyun"), ("준혁", "junhyuk"), ("지환", "jihwan"), ("승민", "seungmin"), ("영호", "youngho"),
    ("영수", "youngsoo"), ("영철", "youngchul"), ("성호", "sungho"), ("성민", "sungmin"), ("성진", "sungjin"),
    ("동현", "donghyun"), ("동욱", "dongwook"), ("상철", "sangchul"), ("상훈", "sanghoon"), ("재현", "jaehyun"),
    ("재훈", "jaehoon"), ("정호", "jungho"), ("정훈", "junghoon"), ("종민", "jongmin"), ("진호", "jinho"),
    ("광수", "kwangsoo"), ("병철", "byungchul"), ("경수", "kyungsoo"), ("태호", "taeho"), ("형준", "hyungjun"),
    ("기현", "kihyun"), ("용준", "yongjun"), ("대현", "daehyun"), ("석진", "seokjin"), ("상우", "sangwoo"),
    ("서연", "seoyeon"), ("서윤", "seoyun"), ("지우", "jiwoo"), ("서현", "seohyun"), ("민서", "minseo"),
    ("하은", "haeun"), ("하윤", "hayun"), ("윤서", "yunseo"), ("지민", "jimin"), ("채원", "chaewon"),
    ("수아", "sua"), ("다은", "daeun"), ("은서", "eunseo"), ("예은", "yeeun"), ("수빈", "subin"),
    ("예린", "yerin"), ("지원", "jiwon"), ("미영", "miyoung"), ("미경", "mikyung"), ("은정", "eunjung"),
    ("은영", "eunyoung"), ("지영", "jiyoung"), ("현정", "hyunjung"), ("수진", "sujin"), ("혜진", "hyejin"),
    ("정희", "junghee"), ("영희", "younghee"), ("경희", "kyunghee"), ("미숙", "misook"), ("선영", "sunyoung"),
    ("유진", "yujin"), ("민지", "minji"), ("수연", "suyeon"), ("보람", "boram"), ("혜원", "hyewon"),
    ("아름", "areum"), ("나연", "nayeon"), ("소영", "soyoung"), ("은지", "eunji"), ("지혜", "jihye"),
    ("민경", "minkyung"), ("정은", "jungeun"), ("현주", "hyunjoo"), ("윤정", "yoonjung"), ("다혜", "dahye"),
    ("세영", "seyoung"), ("주희", "joohee"), ("가영", "gayoung"), ("혜린", "hyerin"), ("소연", "soyeon"),
)  # fmt: skip

# Stems of company names, with a romanisation for domains. Well-known real groups are left out on purpose.
COMPANY_STEMS: tuple[tuple[str, str], ...] = (
    ("대성", "daesung"), ("한길", "hangil"), ("세영", "seyoung"), ("동양", "dongyang"), ("삼익", "samik"),
    ("태광", "taekwang"), ("우성", "woosung"), ("신화", "shinhwa"), ("금강", "keumkang"), ("백산", "baeksan"),
    ("청림", "chunglim"), ("대원", "daewon"), ("성원", "sungwon"), ("한솔", "hansol"), ("제일", "jeil"),
    ("미래", "mirae"), ("태영", "taeyoung"), ("동신", "dongshin"), ("삼호", "samho"), ("영진", "youngjin"),
    ("보성", "bosung"), ("신일", "shinil"), ("진흥", "jinheung"), ("서광", "seokwang"), ("일신", "ilshin"),
    ("태성", "taesung"), ("광명", "kwangmyung"), ("대진", "daejin"), ("세진", "sejin"), ("정우", "jungwoo"),
    ("명성", "myungsung"), ("한결", "hangyeol"), ("다온", "daon"), ("새한", "saehan"), ("해솔", "haesol"),
    ("푸른", "pureun"), ("가온", "gaon"), ("누리", "nuri"), ("온누리", "onnuri"), ("으뜸", "eutteum"),
    ("나래", "narae"), ("미르", "mir"), ("한마음", "hanmaeum"), ("새론", "saeron"), ("은성", "eunsung"),
    ("은하", "eunha"), ("천일", "cheonil"), ("신성", "shinsung"), ("서진", "seojin"), ("오성", "osung"),
    ("국제", "kukje"), ("남광", "namkwang"), ("덕성", "deoksung"), ("상록", "sangrok"), ("늘푸른", "neulpureun"),
    ("대양", "daeyang"), ("해동", "haedong"), ("백두", "baekdu"), ("성지", "sungji"), ("정원", "jungwon"),
    ("세원", "sewon"), ("혜성", "hyesung"), ("선진", "sunjin"), ("창성", "changsung"), ("영신", "youngshin"),
    ("명진", "myungjin"), ("태양", "taeyang"), ("동방", "dongbang"), ("서해", "seohae"), ("동해", "donghae"),
    ("남해", "namhae"), ("우리", "woori"), ("삼정", "samjung"), ("대명", "daemyung"), ("광성", "kwangsung"),
    ("성광", "sungkwang"), ("진성", "jinsung"), ("현성", "hyunsung"), ("경일", "kyungil"), ("수성", "susung"),
    ("우진", "woojin"), ("한영", "hanyoung"), ("대한", "daehan"), ("신영", "shinyoung"), ("동성", "dongsung"),
    ("명신", "myungshin"), ("영광", "younggwang"), ("창신", "changshin"), ("세광", "sekwang"), ("흥국", "heungkuk"),
    ("보광", "bokwang"), ("청우", "chungwoo"), ("하늘", "haneul"), ("솔빛", "solbit"), ("바른", "bareun"),
    ("엘림", "elim"), ("에이스", "ace"), ("그린", "green"), ("케이원", "kone"), ("제이에스", "js"),
)  # fmt: skip

# Industries of company accounts: (value stored on Account.industry, share in per mille).
INDUSTRIES: tuple[tuple[str, int], ...] = (
    ("건설", 100),
    ("의료", 100),
    ("교육", 90),
    ("숙박", 70),
    ("제조", 180),
    ("유통", 140),
    ("오피스·빌딩", 100),
    ("외식", 80),
    ("물류·냉동창고", 50),
    ("설비·인테리어", 70),
)

# Company-name templates per industry: {stem} a name stem, {place} the short local name. The second value tells
# what kind of 사업자 it is, which decides the type segment of its 사업자등록번호 and whether it has a
# 법인등록번호: "corp" (법인), "sole" (개인사업자), "nonprofit" (비영리법인), "public" (국가·지자체 기관).
NAME_TEMPLATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "건설": (
        ("{stem}건설(주)", "corp", "const"), ("(주){stem}종합건설", "corp", "enc"),
        ("{stem}산업개발(주)", "corp", "dev"), ("{stem}이앤씨(주)", "corp", "enc"), ("(주){stem}토건", "corp", "tg"),
    ),
    "의료": (
        ("{place}{stem}병원", "nonprofit", "hospital"), ("{stem}요양병원", "nonprofit", "care"),
        ("{stem}내과의원", "sole", "clinic"), ("{stem}치과의원", "sole", "dental"),
        ("의료법인 {stem}의료재단", "nonprofit", "mf"), ("{stem}한방병원", "sole", "omc"),
    ),
    "교육": (
        ("{place}{stem}초등학교", "public", "es"), ("{place}{stem}중학교", "public", "ms"),
        ("{stem}고등학교", "nonprofit", "hs"), ("{stem}유치원", "sole", "kinder"), ("{stem}학원", "sole", "academy"),
        ("{place}{stem}대학교", "nonprofit", "univ"),
    ),
    "숙박": (
        ("{place} {stem}호텔", "corp", "hotel"), ("호텔 {stem}", "corp", "hotel"), ("{stem}리조트(주)", "corp", "resort"),
        ("{stem}모텔", "sole", "motel"), ("{place}{stem}게스트하우스", "sole", "guest"),
    ),
    "제조": (
        ("(주){stem}정밀", "corp", "precision"), ("{stem}전자(주)", "corp", "elec"), ("{stem}화학(주)", "corp", "chem"),
        ("{stem}식품(주)", "corp", "food"), ("(주){stem}테크", "corp", "tech"), ("{stem}금속", "sole", "metal"),
        ("{stem}산업(주)", "corp", "ind"), ("(주){stem}바이오", "corp", "bio"),
    ),
    "유통": (
        ("{stem}마트", "sole", "mart"), ("{stem}유통(주)", "corp", "dist"), ("{place}{stem}쇼핑", "corp", "shopping"),
        ("{stem}프라자", "sole", "plaza"), ("(주){stem}상사", "corp", "trading"), ("{stem}약국", "sole", "pharm"),
    ),
    "오피스·빌딩": (
        ("{stem}빌딩 관리단", "nonprofit", "bldg"), ("{place}{stem}타워", "corp", "tower"),
        ("(주){stem}자산관리", "corp", "am"), ("{stem}오피스텔 관리사무소", "nonprofit", "officetel"),
        ("{stem}아파트 관리사무소", "nonprofit", "apt"),
    ),
    "외식": (
        ("{stem}식당", "sole", "food"), ("{stem}갈비", "sole", "galbi"), ("카페 {stem}", "sole", "cafe"),
        ("{stem}베이커리", "sole", "bakery"), ("(주){stem}푸드", "corp", "foods"),
    ),
    "물류·냉동창고": (
        ("(주){stem}로지스", "corp", "logis"), ("{stem}물류(주)", "corp", "logistics"),
        ("{stem}냉동(주)", "corp", "cold"), ("{place}{stem}수산", "sole", "fish"),
    ),
    "설비·인테리어": (
        ("{stem}설비", "sole", "sb"), ("{stem}인테리어", "sole", "interior"), ("{stem}냉난방", "sole", "hvac"),
        ("(주){stem}기공", "corp", "eng"),
    ),
}  # fmt: skip

# Job titles per industry, each with its usual department and key-person role.
TITLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "default": (
        ("대표이사", "경영지원본부", "decision_maker"), ("이사", "경영지원본부", "decision_maker"),
        ("부장", "총무팀", "influencer"), ("팀장", "구매팀", "influencer"), ("차장", "시설관리팀", "influencer"),
        ("과장", "시설관리팀", "user"), ("대리", "구매팀", "user"), ("주임", "총무팀", "user"),
        ("사원", "총무팀", "gatekeeper"), ("비서", "대표이사실", "gatekeeper"),
    ),
    "건설": (
        ("대표이사", "경영지원본부", "decision_maker"), ("상무", "공무본부", "decision_maker"),
        ("공무부장", "공무팀", "influencer"), ("현장소장", "공사팀", "influencer"), ("설비팀장", "설비팀", "influencer"),
        ("자재과장", "자재팀", "user"), ("구매대리", "구매팀", "user"), ("기계설비 기사", "설비팀", "user"),
    ),
    "의료": (
        ("병원장", "원장실", "decision_maker"), ("행정부장", "행정부", "decision_maker"),
        ("시설팀장", "시설팀", "influencer"), ("원무과장", "원무과", "influencer"), ("간호부장", "간호부", "influencer"),
        ("시설 주임", "시설팀", "user"), ("구매 담당", "구매팀", "user"),
    ),
    "교육": (
        ("교장", "교장실", "decision_maker"), ("행정실장", "행정실", "decision_maker"), ("교감", "교무실", "influencer"),
        ("시설주무관", "행정실", "user"), ("주무관", "행정실", "gatekeeper"),
    ),
    "숙박": (
        ("총지배인", "경영지원팀", "decision_maker"), ("시설관리팀장", "시설관리팀", "influencer"),
        ("객실팀장", "객실팀", "influencer"), ("구매 담당", "구매팀", "user"), ("프런트 매니저", "객실팀", "gatekeeper"),
    ),
    "외식": (("대표", "", "decision_maker"), ("점장", "매장", "influencer"), ("매니저", "매장", "user")),
    "household": (("", "", "decision_maker"), ("", "", "influencer")),
}  # fmt: skip

CONSENT_SOURCES: tuple[str, ...] = (
    "홈페이지 회원가입",
    "전시회 방문 신청서",
    "대리점 방문 동의서",
    "고객센터 전화",
    "카카오톡 채널",
    "설치 완료 확인서",
    "세미나 참가 신청",
)

# Fictitious rivals kept as competitor accounts (no real brand).
COMPETITORS: tuple[tuple[str, str, str], ...] = (
    ("(주)청운에어텍", "cheongun-airtech", "제조"),
    ("대륙냉열(주)", "daeryuk-cooling", "제조"),
    ("(주)써모랩코리아", "thermolab", "제조"),
    ("삼원공조산업(주)", "samwon-hvac", "제조"),
    ("(주)에어웰코리아", "airwell", "제조"),
    ("국일보일러(주)", "kukil-boiler", "제조"),
)

FREE_MAIL_DOMAINS: tuple[str, ...] = ("naver.example", "daum.example", "kakao.example", "gmail.example")
