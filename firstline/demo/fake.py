"""Fake but valid personal data for the demo and the benchmarks: realistic Chinese names,
18-digit resident ID numbers with a correct GB 11643 check digit, plausible mobile numbers."""

import random
from datetime import date, timedelta

from stdnum.cn import ric

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华玉兰志强桂兰文斌海燕国强小红红梅"
         "春梅淑珍玉梅丽娟秀珍晨阳思远子涵欣怡浩然一诺宇轩梓涵雨桐佳怡俊杰嘉怡明轩若汐")
# Anhui Huainan Fengtai (340421) and neighbours: a plausible mix of birth-place codes.
REGION_CODES = ("340421", "340402", "340403", "340404", "340405", "340406", "340422",
                "340102", "320102", "420106", "110105", "310115", "440305")
PHONE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "155", "157", "158", "159", "166", "177", "180", "181", "186", "187",
                  "188", "189", "191", "198", "199")


def fake_name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.7:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def fake_id_number(rng: random.Random, *, serial: int | None = None,
                   born: date | None = None, sex: str | None = None) -> str:
    """A valid 18-digit resident ID. `serial` (0..999) makes numbers unique per birth date."""
    region = REGION_CODES[rng.randrange(len(REGION_CODES))]
    born = born or date(1935, 1, 1) + timedelta(days=rng.randrange(0, 365 * 85))
    seq = serial if serial is not None else rng.randrange(1000)
    if sex is not None:
        seq = seq - seq % 2 + (1 if sex == "M" else 0)
    body = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def fake_phone(rng: random.Random) -> str:
    return PHONE_PREFIXES[rng.randrange(len(PHONE_PREFIXES))] + f"{rng.randrange(10**8):08d}"


def unique_id_numbers(rng: random.Random, count: int):
    """`count` distinct valid ID numbers, quickly (for benchmarks up to millions)."""
    seen = set()
    while len(seen) < count:
        number = fake_id_number(rng)
        if number not in seen:
            seen.add(number)
            yield number
