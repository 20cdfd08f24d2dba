"""The 한빛공조 catalogue: product lines, ~60 products with specifications, option groups with requires/excludes
rules, and the price-list policy (default, per partner tier, a segment, partner-specific) with volume breaks.

Prices are list prices in won, in the range Korean HVAC makers publish (2025-26).
"""

from dataclasses import dataclass, field

PRODUCT_LINES = (
    ("SAC", "시스템에어컨", "System air conditioners", "빌딩·상업 공간용 천장형·덕트형 실내기와 VRF 실외기"),
    ("RAC", "가정용 에어컨", "Home air conditioners", "스탠드형, 벽걸이형, 2in1 홈멀티, 창문형"),
    ("APU", "공기청정기", "Air purifiers", "가정·사무실·상업 공간용 공기청정기와 교체 필터"),
    ("HPB", "히트펌프 보일러", "Heat-pump boilers", "공기열원 히트펌프 난방·급탕 시스템"),
    ("CRF", "상업용 냉동·냉장", "Commercial refrigeration", "쇼케이스, 콘덴싱 유닛, 업소용 냉장고, 제빙기"),
    ("ACC", "부품·설치자재", "Parts and installation materials", "배관, 컨트롤러, 냉매, 설치 부자재"),
    ("SVC", "서비스", "Services", "설치, 정기점검, 세척, 연장 보증"),
)

LINE_BLURBS = {
    "SAC": "고효율 인버터 압축기와 저소음 설계로 사무실, 상가, 병원, 학교에 맞춘 한빛 시스템에어컨입니다.",
    "RAC": "1등급 에너지효율과 무풍 냉방으로 가정의 여름을 책임지는 한빛 에어컨입니다.",
    "APU": "H13 이상 헤파 필터와 실시간 미세먼지 센서를 갖춘 한빛 공기청정기입니다.",
    "HPB": "영하 25도에서도 난방하는 공기열원 히트펌프로 가스 보일러를 대체합니다.",
    "CRF": "매장과 주방을 위한 한빛 상업용 냉동·냉장 설비입니다.",
    "ACC": "한빛 공조 제품의 설치와 제어를 위한 정품 부품입니다.",
    "SVC": "한빛공조 공인 엔지니어가 제공하는 설치·점검 서비스입니다.",
}


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    line: str
    name: str
    name_en: str
    price: int  # list price, won
    unit: str = "EA"
    status: str = "active"
    specs: tuple[tuple[str, str], ...] = ()
    options: str = ""  # key into OPTION_SETS


def _ac(capacity_kw: float, power_w: int, grade: str, size: str, weight: int, refrigerant: str = "R-32"):
    return (
        ("냉방능력", f"{capacity_kw} kW"),
        ("소비전력", f"{power_w:,} W"),
        ("에너지소비효율", grade),
        ("냉매", refrigerant),
        ("크기 (W×H×D)", size),
        ("중량", f"{weight} kg"),
    )


PRODUCTS: tuple[ProductSpec, ...] = (
    # 시스템에어컨 실내기
    ProductSpec("HB-CT4-040", "SAC", "천장형 4WAY 카세트 실내기 4.0kW", "4-way cassette indoor unit 4.0 kW", 1_180_000, specs=_ac(4.0, 1150, "1등급", "570×260×570 mm", 17), options="cassette"),
    ProductSpec("HB-CT4-056", "SAC", "천장형 4WAY 카세트 실내기 5.6kW", "4-way cassette indoor unit 5.6 kW", 1_450_000, specs=_ac(5.6, 1620, "1등급", "840×246×840 mm", 22), options="cassette"),
    ProductSpec("HB-CT4-072", "SAC", "천장형 4WAY 카세트 실내기 7.2kW", "4-way cassette indoor unit 7.2 kW", 1_690_000, specs=_ac(7.2, 2090, "1등급", "840×246×840 mm", 24), options="cassette"),
    ProductSpec("HB-CT4-090", "SAC", "천장형 4WAY 카세트 실내기 9.0kW", "4-way cassette indoor unit 9.0 kW", 1_980_000, specs=_ac(9.0, 2650, "2등급", "840×288×840 mm", 27), options="cassette"),
    ProductSpec("HB-CT4-110", "SAC", "천장형 4WAY 카세트 실내기 11.0kW", "4-way cassette indoor unit 11.0 kW", 2_290_000, specs=_ac(11.0, 3300, "2등급", "840×288×840 mm", 29), options="cassette"),
    ProductSpec("HB-CT1-028", "SAC", "천장형 1WAY 카세트 실내기 2.8kW", "1-way cassette indoor unit 2.8 kW", 980_000, specs=_ac(2.8, 820, "1등급", "860×180×400 mm", 13), options="cassette"),
    ProductSpec("HB-CT1-036", "SAC", "천장형 1WAY 카세트 실내기 3.6kW", "1-way cassette indoor unit 3.6 kW", 1_080_000, specs=_ac(3.6, 1050, "1등급", "860×180×400 mm", 14), options="cassette"),
    ProductSpec("HB-DT-056", "SAC", "덕트형 실내기 5.6kW", "Ducted indoor unit 5.6 kW", 1_320_000, specs=_ac(5.6, 1700, "2등급", "900×270×700 mm", 29)),
    ProductSpec("HB-DT-112", "SAC", "덕트형 실내기 11.2kW", "Ducted indoor unit 11.2 kW", 2_150_000, specs=_ac(11.2, 3400, "2등급", "1,200×300×700 mm", 41)),
    ProductSpec("HB-DT-140", "SAC", "덕트형 실내기 14.0kW (고정압)", "High-static ducted indoor unit 14.0 kW", 2_780_000, specs=_ac(14.0, 4300, "3등급", "1,400×360×750 mm", 52)),
    ProductSpec("HB-WM-028", "SAC", "시스템 벽걸이 실내기 2.8kW", "System wall-mounted indoor unit 2.8 kW", 720_000, specs=_ac(2.8, 780, "1등급", "885×285×210 mm", 10)),
    ProductSpec("HB-CS-071", "SAC", "천장 노출형 실내기 7.1kW", "Ceiling-suspended indoor unit 7.1 kW", 1_760_000, specs=_ac(7.1, 2150, "2등급", "1,280×235×680 mm", 32), status="phase_out"),
    # VRF 실외기
    ProductSpec("HB-VRF-08", "SAC", "한빛 VRF 실외기 8HP", "VRF outdoor unit 8 HP", 8_400_000, specs=(("냉방능력", "22.4 kW"), ("난방능력", "25.2 kW"), ("연결 실내기", "최대 13대"), ("전원", "삼상 380V 60Hz"), ("냉매", "R-410A"), ("중량", "198 kg")), options="vrf"),
    ProductSpec("HB-VRF-10", "SAC", "한빛 VRF 실외기 10HP", "VRF outdoor unit 10 HP", 9_800_000, specs=(("냉방능력", "28.0 kW"), ("난방능력", "31.5 kW"), ("연결 실내기", "최대 16대"), ("전원", "삼상 380V 60Hz"), ("냉매", "R-410A"), ("중량", "215 kg")), options="vrf"),
    ProductSpec("HB-VRF-12", "SAC", "한빛 VRF 실외기 12HP", "VRF outdoor unit 12 HP", 11_600_000, specs=(("냉방능력", "33.6 kW"), ("난방능력", "37.8 kW"), ("연결 실내기", "최대 20대"), ("전원", "삼상 380V 60Hz"), ("냉매", "R-410A"), ("중량", "236 kg")), options="vrf"),
    ProductSpec("HB-VRF-16", "SAC", "한빛 VRF 실외기 16HP", "VRF outdoor unit 16 HP", 15_200_000, specs=(("냉방능력", "44.8 kW"), ("난방능력", "50.0 kW"), ("연결 실내기", "최대 26대"), ("전원", "삼상 380V 60Hz"), ("냉매", "R-410A"), ("중량", "298 kg")), options="vrf"),
    ProductSpec("HB-VRF-20", "SAC", "한빛 VRF 실외기 20HP", "VRF outdoor unit 20 HP", 18_900_000, specs=(("냉방능력", "56.0 kW"), ("난방능력", "63.0 kW"), ("연결 실내기", "최대 33대"), ("전원", "삼상 380V 60Hz"), ("냉매", "R-410A"), ("중량", "355 kg")), options="vrf"),
    ProductSpec("HB-VRF-10N", "SAC", "한빛 VRF 실외기 10HP (R-32, 2027년형)", "VRF outdoor unit 10 HP (R-32, 2027)", 10_400_000, status="planned", specs=(("냉방능력", "28.0 kW"), ("냉매", "R-32"), ("전원", "삼상 380V 60Hz")), options="vrf"),
    # 가정용 에어컨
    ProductSpec("HA-ST-18", "RAC", "스탠드 에어컨 18평형", "Floor-standing air conditioner (58 m²)", 1_890_000, specs=(*_ac(6.5, 1780, "1등급", "380×1,850×340 mm", 32), ("적용면적", "58.5 ㎡")), options="home"),
    ProductSpec("HA-ST-20", "RAC", "스탠드 에어컨 20평형", "Floor-standing air conditioner (65 m²)", 2_190_000, specs=(*_ac(7.2, 2050, "1등급", "380×1,850×340 mm", 34), ("적용면적", "65.0 ㎡")), options="home"),
    ProductSpec("HA-ST-23", "RAC", "스탠드 에어컨 23평형", "Floor-standing air conditioner (75 m²)", 2_590_000, specs=(*_ac(8.3, 2480, "2등급", "420×1,900×360 mm", 38), ("적용면적", "75.6 ㎡")), options="home"),
    ProductSpec("HA-WM-06", "RAC", "벽걸이 에어컨 6평형", "Wall-mounted air conditioner (20 m²)", 590_000, specs=_ac(2.3, 620, "1등급", "820×280×200 mm", 9), options="home"),
    ProductSpec("HA-WM-09", "RAC", "벽걸이 에어컨 9평형", "Wall-mounted air conditioner (29 m²)", 760_000, specs=_ac(2.8, 790, "1등급", "885×285×210 mm", 10), options="home"),
    ProductSpec("HA-WM-11", "RAC", "벽걸이 에어컨 11평형", "Wall-mounted air conditioner (36 m²)", 890_000, specs=_ac(3.6, 1020, "1등급", "885×285×210 mm", 11), options="home"),
    ProductSpec("HA-WM-16", "RAC", "벽걸이 에어컨 16평형", "Wall-mounted air conditioner (52 m²)", 1_190_000, specs=_ac(5.2, 1560, "2등급", "1,030×310×230 mm", 14), options="home"),
    ProductSpec("HA-2IN1-18", "RAC", "2in1 홈멀티 (18평+6평)", "2-in-1 home multi (floor 58 m² + wall 20 m²)", 2_490_000, unit="SET", specs=_ac(6.5, 1800, "1등급", "스탠드 380×1,850×340 mm", 41), options="home"),
    ProductSpec("HA-2IN1-20", "RAC", "2in1 홈멀티 (20평+7평)", "2-in-1 home multi (floor 65 m² + wall 23 m²)", 2_890_000, unit="SET", specs=_ac(7.2, 2070, "1등급", "스탠드 380×1,850×340 mm", 43), options="home"),
    ProductSpec("HA-WIN-07", "RAC", "창문형 에어컨 7평형", "Window air conditioner (23 m²)", 690_000, specs=_ac(2.2, 680, "1등급", "370×1,000×240 mm", 22)),
    ProductSpec("HA-ST-18-R410", "RAC", "스탠드 에어컨 18평형 (2023년형)", "Floor-standing air conditioner (2023)", 1_690_000, status="discontinued", specs=_ac(6.5, 1900, "2등급", "380×1,850×340 mm", 33, "R-410A")),
    # 공기청정기
    ProductSpec("HP-AP-20", "APU", "공기청정기 20평형", "Air purifier (66 m²)", 449_000, specs=(("적용면적", "66 ㎡"), ("CADR", "8.2 ㎥/min"), ("필터", "H13 헤파"), ("소음", "22-51 dB"))),
    ProductSpec("HP-AP-33", "APU", "공기청정기 33평형", "Air purifier (109 m²)", 689_000, specs=(("적용면적", "109 ㎡"), ("CADR", "13.5 ㎥/min"), ("필터", "H13 헤파"), ("소음", "24-53 dB"))),
    ProductSpec("HP-AP-40", "APU", "공기청정기 40평형 (듀얼)", "Dual air purifier (132 m²)", 899_000, specs=(("적용면적", "132 ㎡"), ("CADR", "16.4 ㎥/min"), ("필터", "H13 헤파 ×2"), ("소음", "25-54 dB"))),
    ProductSpec("HP-AP-C60", "APU", "상업용 공기청정기 60평형", "Commercial air purifier (198 m²)", 1_590_000, specs=(("적용면적", "198 ㎡"), ("CADR", "24.0 ㎥/min"), ("필터", "H14 헤파"), ("설치", "스탠드/천장"))),
    ProductSpec("HP-FT-20", "APU", "교체용 헤파 필터 (20·33평형)", "Replacement HEPA filter", 59_000, specs=(("등급", "H13"), ("교체 주기", "12개월"))),
    ProductSpec("HP-FT-C60", "APU", "교체용 헤파 필터 (상업용)", "Replacement HEPA filter (commercial)", 129_000, specs=(("등급", "H14"), ("교체 주기", "6-12개월"))),
    # 히트펌프 보일러
    ProductSpec("HH-HP-09", "HPB", "공기열원 히트펌프 보일러 9kW", "Air-source heat-pump boiler 9 kW", 6_900_000, unit="SET", specs=(("난방능력", "9.0 kW"), ("COP", "4.3"), ("냉매", "R-32"), ("전원", "단상 220V 60Hz"), ("운전 외기온도", "-25 ℃까지")), options="heatpump"),
    ProductSpec("HH-HP-12", "HPB", "공기열원 히트펌프 보일러 12kW", "Air-source heat-pump boiler 12 kW", 8_500_000, unit="SET", specs=(("난방능력", "12.0 kW"), ("COP", "4.2"), ("냉매", "R-32"), ("전원", "삼상 380V 60Hz"), ("운전 외기온도", "-25 ℃까지")), options="heatpump"),
    ProductSpec("HH-HP-16", "HPB", "공기열원 히트펌프 보일러 16kW", "Air-source heat-pump boiler 16 kW", 10_200_000, unit="SET", specs=(("난방능력", "16.0 kW"), ("COP", "4.1"), ("냉매", "R-32"), ("전원", "삼상 380V 60Hz"), ("운전 외기온도", "-25 ℃까지")), options="heatpump"),
    ProductSpec("HH-WH-200", "HPB", "히트펌프 급탕기 200L", "Heat-pump water heater 200 L", 2_890_000, specs=(("저탕량", "200 L"), ("COP", "3.6"), ("최고 출탕온도", "65 ℃"))),
    ProductSpec("HH-WH-300", "HPB", "히트펌프 급탕기 300L", "Heat-pump water heater 300 L", 3_490_000, specs=(("저탕량", "300 L"), ("COP", "3.5"), ("최고 출탕온도", "65 ℃"))),
    ProductSpec("HH-HY-12", "HPB", "하이브리드 보일러 (히트펌프+가스) 12kW", "Hybrid boiler (heat pump + gas) 12 kW", 9_400_000, unit="SET", status="planned", specs=(("난방능력", "12.0 kW + 가스 24 kW"), ("냉매", "R-290"))),
    # 상업용 냉동·냉장
    ProductSpec("HC-SC-O18", "CRF", "오픈 쇼케이스 1800 (리모트)", "Open multideck showcase 1800 (remote)", 3_800_000, specs=(("길이", "1,875 mm"), ("온도 범위", "0 ~ 5 ℃"), ("방식", "리모트 (별도 콘덴싱 유닛)")), options="showcase"),
    ProductSpec("HC-SC-O24", "CRF", "오픈 쇼케이스 2400 (리모트)", "Open multideck showcase 2400 (remote)", 4_650_000, specs=(("길이", "2,500 mm"), ("온도 범위", "0 ~ 5 ℃"), ("방식", "리모트 (별도 콘덴싱 유닛)")), options="showcase"),
    ProductSpec("HC-SC-F18", "CRF", "냉동 쇼케이스 1800 (리모트)", "Freezer showcase 1800 (remote)", 4_900_000, specs=(("길이", "1,875 mm"), ("온도 범위", "-22 ~ -18 ℃"), ("방식", "리모트 (별도 콘덴싱 유닛)")), options="showcase"),
    ProductSpec("HC-CU-03", "CRF", "냉동 콘덴싱 유닛 3HP", "Refrigeration condensing unit 3 HP", 2_850_000, specs=(("냉동능력", "5.8 kW"), ("냉매", "R-404A"), ("전원", "삼상 380V 60Hz"))),
    ProductSpec("HC-CU-05", "CRF", "냉동 콘덴싱 유닛 5HP", "Refrigeration condensing unit 5 HP", 4_200_000, specs=(("냉동능력", "9.4 kW"), ("냉매", "R-404A"), ("전원", "삼상 380V 60Hz"))),
    ProductSpec("HC-WI-08", "CRF", "워크인 쿨러 유닛 (8㎡ 저장고용)", "Walk-in cooler unit (8 m² room)", 5_600_000, unit="SET", specs=(("적용 저장고", "8 ㎡"), ("온도 범위", "0 ~ 5 ℃"))),
    ProductSpec("HC-RF-45", "CRF", "업소용 냉장고 45박스", "Commercial reach-in refrigerator 45 box", 1_390_000, specs=(("용량", "1,065 L"), ("도어", "4도어"), ("온도 범위", "-2 ~ 5 ℃"))),
    ProductSpec("HC-RF-65", "CRF", "업소용 냉장고 65박스", "Commercial reach-in refrigerator 65 box", 2_090_000, specs=(("용량", "1,600 L"), ("도어", "6도어"), ("온도 범위", "-2 ~ 5 ℃"))),
    ProductSpec("HC-IM-100", "CRF", "제빙기 100kg", "Ice maker 100 kg/day", 2_450_000, specs=(("제빙량", "100 kg/일"), ("저빙량", "40 kg"), ("얼음 형태", "큐브"))),
    # 부품·설치자재
    ProductSpec("HX-CC-100", "ACC", "중앙 컨트롤러 (최대 128대)", "Central controller (up to 128 units)", 1_250_000, specs=(("제어 대수", "128대"), ("화면", "10.1인치 터치"), ("연동", "BACnet/Modbus"))),
    ProductSpec("HX-RC-W", "ACC", "유선 리모컨 (터치)", "Wired touch remote controller", 89_000, specs=(("화면", "4.3인치"), ("기능", "주간 스케줄, 실온 감지"))),
    ProductSpec("HX-RC-IR", "ACC", "무선 리모컨", "Wireless remote controller", 32_000),
    ProductSpec("HX-DP-01", "ACC", "배수 펌프 키트", "Drain pump kit", 118_000, specs=(("양정", "750 mm"),)),
    ProductSpec("HX-PP-0915", "ACC", "냉매 동배관 세트 (9.52/15.88)", "Copper refrigerant pipe set (9.52/15.88 mm)", 26_000, unit="M", specs=(("규격", "9.52 mm / 15.88 mm"), ("보온재", "난연 13T"))),
    ProductSpec("HX-PP-0612", "ACC", "냉매 동배관 세트 (6.35/12.7)", "Copper refrigerant pipe set (6.35/12.7 mm)", 19_000, unit="M", specs=(("규격", "6.35 mm / 12.7 mm"), ("보온재", "난연 10T"))),
    ProductSpec("HX-RG-R32", "ACC", "냉매 R-32 (충전용)", "Refrigerant R-32 (charge)", 28_000, unit="KG", specs=(("GWP", "675"),)),
    ProductSpec("HX-RG-410", "ACC", "냉매 R-410A (충전용)", "Refrigerant R-410A (charge)", 34_000, unit="KG", status="phase_out", specs=(("GWP", "2,088"),)),
    ProductSpec("HX-BR-01", "ACC", "분지관 (Y-조인트)", "Branch joint (Y)", 64_000),
    # 서비스
    ProductSpec("HS-IN-RAC", "SVC", "가정용 에어컨 기본 설치", "Home air conditioner standard installation", 150_000, unit="SET"),
    ProductSpec("HS-IN-SAC", "SVC", "시스템에어컨 설치 (실내기 1대 기준)", "System air conditioner installation (per indoor unit)", 350_000, unit="SET"),
    ProductSpec("HS-PM-Y", "SVC", "정기점검 계약 (연 2회)", "Preventive maintenance contract (twice a year)", 390_000, unit="SET", specs=(("방문", "연 2회 (봄·가을)"), ("포함", "필터 세척, 냉매압 점검"))),
    ProductSpec("HS-CL-01", "SVC", "에어컨 분해 세척", "Air conditioner deep cleaning", 120_000, unit="EA"),
    ProductSpec("HS-WR-3Y", "SVC", "연장 보증 3년", "3-year extended warranty", 290_000, unit="SET"),
    ProductSpec("HS-LB-HR", "SVC", "기술 지원 (시간당)", "Technical support (per hour)", 85_000, unit="HR"),
)  # fmt: skip


@dataclass(frozen=True)
class OptionSpec:
    sku: str
    name: str
    name_en: str
    price_delta: int = 0
    is_default: bool = False


@dataclass(frozen=True)
class GroupSpec:
    name: str
    name_en: str
    options: tuple[OptionSpec, ...]
    required: bool = False
    min_selections: int = 0
    max_selections: int | None = None


@dataclass(frozen=True)
class RuleSpec:
    """`when` an option SKU (or "" for the product itself) `kind` ("requires"/"excludes") an option SKU of the
    same product, or a product SKU ("product:..."), in the same quote."""

    when: str
    kind: str
    target: str


@dataclass(frozen=True)
class OptionSet:
    groups: tuple[GroupSpec, ...]
    rules: tuple[RuleSpec, ...] = field(default=())


OPTION_SETS: dict[str, OptionSet] = {
    "cassette": OptionSet(
        groups=(
            GroupSpec("패널", "Panel", (OptionSpec("PNL-STD", "표준 패널", "Standard panel", 0, True), OptionSpec("PNL-PRM", "고급 패널 (무풍)", "Premium wind-free panel", 90_000), OptionSpec("PNL-360", "360° 원형 패널", "360° round panel", 150_000)), required=True, max_selections=1),
            GroupSpec("리모컨", "Controller", (OptionSpec("RC-IR", "무선 리모컨", "Wireless remote", 0, True), OptionSpec("RC-WIRED", "유선 리모컨", "Wired remote", 45_000), OptionSpec("RC-CENTRAL", "중앙제어 연동", "Central-control link", 60_000)), required=True, max_selections=1),
            GroupSpec("추가 옵션", "Extras", (OptionSpec("OPT-DRAIN", "배수 펌프", "Drain pump", 120_000), OptionSpec("OPT-PM", "초미세먼지 필터", "PM1.0 filter", 70_000), OptionSpec("OPT-FRESH", "신선 외기 키트", "Fresh-air kit", 180_000))),
        ),
        rules=(
            RuleSpec("RC-CENTRAL", "requires", "product:HX-CC-100"),
            RuleSpec("PNL-360", "excludes", "OPT-FRESH"),
        ),
    ),
    "vrf": OptionSet(
        groups=(
            GroupSpec("설치 환경", "Site", (OptionSpec("ENV-STD", "표준", "Standard", 0, True), OptionSpec("ENV-COAST", "해안지역 방청 코팅", "Coastal anti-corrosion coating", 450_000), OptionSpec("ENV-COLD", "한랭지 난방 강화", "Cold-climate heating boost", 800_000)), required=True, max_selections=1),
            GroupSpec("배관 패키지", "Piping package", (OptionSpec("PIPE-20", "배관 20M 패키지", "20 m piping package", 600_000), OptionSpec("PIPE-40", "배관 40M 패키지", "40 m piping package", 1_100_000)), max_selections=1),
            GroupSpec("부가 서비스", "Services", (OptionSpec("SVC-CHARGE", "추가 냉매 충전", "Additional refrigerant charge", 250_000), OptionSpec("SVC-COMM", "시운전 입회", "Commissioning attendance", 300_000))),
        ),
        rules=(
            RuleSpec("PIPE-40", "requires", "SVC-CHARGE"),
            RuleSpec("", "requires", "product:HX-BR-01"),
        ),
    ),
    "home": OptionSet(
        groups=(
            GroupSpec("설치", "Installation", (OptionSpec("INS-BASIC", "기본 설치 포함", "Standard installation included", 0, True), OptionSpec("INS-EXT", "배관 연장 설치 (5M 추가)", "Extended piping (+5 m)", 60_000), OptionSpec("INS-NONE", "설치 제외 (자가 설치)", "No installation", -100_000)), required=True, max_selections=1),
            GroupSpec("색상", "Colour", (OptionSpec("COL-WHITE", "화이트", "White", 0, True), OptionSpec("COL-BEIGE", "베이지", "Beige", 0), OptionSpec("COL-SILVER", "메탈 실버", "Metal silver", 50_000)), required=True, max_selections=1),
        ),
        rules=(RuleSpec("INS-NONE", "excludes", "product:HS-IN-RAC"),),
    ),
    "heatpump": OptionSet(
        groups=(
            GroupSpec("급탕 탱크", "Hot-water tank", (OptionSpec("TANK-200", "급탕 탱크 200L", "200 L tank", 0, True), OptionSpec("TANK-300", "급탕 탱크 300L", "300 L tank", 400_000), OptionSpec("TANK-NONE", "탱크 없음 (난방 전용)", "No tank (heating only)", -600_000)), required=True, max_selections=1),
            GroupSpec("부가 기능", "Extras", (OptionSpec("HP-SMART", "스마트 온도조절기", "Smart thermostat", 150_000), OptionSpec("HP-SOLAR", "태양광 연동 키트", "Solar PV link kit", 350_000))),
        ),
        rules=(
            RuleSpec("HP-SOLAR", "requires", "TANK-300"),
            RuleSpec("TANK-NONE", "excludes", "HP-SOLAR"),
        ),
    ),
    "showcase": OptionSet(
        groups=(
            GroupSpec("도어", "Doors", (OptionSpec("DOOR-OPEN", "오픈형", "Open", 0, True), OptionSpec("DOOR-GLASS", "유리 도어", "Glass doors", 400_000)), required=True, max_selections=1),
            GroupSpec("조명", "Lighting", (OptionSpec("LED-SHELF", "선반 LED 조명", "Shelf LED lighting", 120_000),), max_selections=1),
        ),
        # A remote showcase has no compressor of its own.
        rules=(RuleSpec("", "requires", "product:HC-CU-03"),),
    ),
}  # fmt: skip

# Partner-tier discounts off the list price, and the volume breaks (quantity, extra discount) per product line.
TIER_DISCOUNTS = {"platinum": 0.28, "gold": 0.22, "silver": 0.16, "bronze": 0.10}
TIER_NAMES = {"platinum": "플래티넘", "gold": "골드", "silver": "실버", "bronze": "브론즈"}
SEGMENT_DISCOUNTS = {"공공기관": 0.12}
VOLUME_BREAKS = {
    "SAC": ((10, 0.03), (50, 0.06), (100, 0.09)),
    "RAC": ((5, 0.02), (20, 0.04)),
    "CRF": ((5, 0.03), (20, 0.05)),
    "APU": ((10, 0.03), (50, 0.06)),
    "ACC": ((100, 0.05),),
}
PARTNER_SPECIAL_DISCOUNT = 0.31  # a distributor's negotiated system-air-conditioner price


def discounted(price: int, discount: float, unit: int = 1000) -> int:
    """A price after `discount`, rounded down to whole thousands of won as Korean price lists are."""
    return int(price * (1 - discount)) // unit * unit


def volume_tiers(line: str, unit_price: int) -> list[tuple[int, int]]:
    return [(quantity, discounted(unit_price, extra)) for quantity, extra in VOLUME_BREAKS.get(line, ())]
