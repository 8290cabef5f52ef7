"""Numbers as teachers type them: ``20``, ``二十``, ``三十一``, ``两``, ``二〇二六``, ``two``, ``forty-five``."""

from __future__ import annotations

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
EN_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
           "ninety": 90}
EN_NUMBERS = {"a": 1, "an": 1, **EN_UNITS, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
              "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, **EN_TENS}
# A regex fragment for one number, Arabic or Chinese.
CN_NUM = r"[0-9零〇一二两三四五六七八九十]+"
# One number in English words below 100 ("forty", "twenty-five", "twenty five"): the longer words first, so that
# "fourteen" is not read as "four".
EN_NUM_WORD = (rf"(?:{'|'.join(EN_TENS)})(?:[- ](?:{'|'.join(EN_UNITS)}))?|"
               + "|".join(sorted(EN_NUMBERS, key=len, reverse=True)))
# More digits than this is no count of days, hours or years anyone types (and int() refuses 4,300+).
_MOST_DIGITS = 9


def to_int(s: str) -> int | None:
    """Arabic digits (at most nine), English number words or Chinese numerals below 100; None otherwise."""
    s = s.strip()
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s) if len(s) <= _MOST_DIGITS else None
    if s in EN_NUMBERS:
        return EN_NUMBERS[s]
    ten_word, _, unit_word = s.replace("-", " ").partition(" ")
    if ten_word in EN_TENS and unit_word.strip() in EN_UNITS:
        return EN_TENS[ten_word] + EN_UNITS[unit_word.strip()]
    if "十" in s:
        if s.count("十") > 1:
            return None
        left, right = s.split("十")
        if left and (len(left) > 1 or left not in CN_DIGITS):
            return None
        if right and (len(right) > 1 or right not in CN_DIGITS):
            return None
        tens = CN_DIGITS[left] if left else 1
        return tens * 10 + (CN_DIGITS[right] if right else 0)
    if all(c in CN_DIGITS for c in s):  # 二〇二六, 五
        return int("".join(str(CN_DIGITS[c]) for c in s))
    return None
