import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from conftest import make_ric, make_uscc
from shuangsuiji.core.identifiers import (
    IdentifierError,
    mask_name,
    mask_ric,
    normalize_industry_code,
    normalize_ric,
    normalize_uscc,
    region_level,
    region_parent_code,
    uscc_region_code,
)

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALID = make_uscc("91130110MA0CQRTU1")


def test_valid_uscc_is_normalized_and_gives_its_region():
    assert normalize_uscc(" " + VALID.lower() + " ") == VALID
    assert uscc_region_code(VALID) == "130110"


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "为空"),
        (VALID[:-1], "应为 18 位，实为 17 位"),
        (VALID + "1", "应为 18 位，实为 19 位"),
        ("A" + VALID[1:], "不允许的字符"),
        (VALID[:10] + "I" + VALID[11:], "不允许的字符"),
    ],
)
def test_bad_uscc_says_why_in_chinese(value, message):
    with pytest.raises(IdentifierError, match=message):
        normalize_uscc(value)


def test_wrong_check_character_does_not_invite_changing_the_last_one():
    wrong = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    with pytest.raises(
        IdentifierError, match="校验位不符：请对照营业执照核对全部 18 位（常见为中间某位抄错）"
    ) as e:
        normalize_uscc(wrong)
    assert "应为" not in str(e.value)


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8), st.text(alphabet=ALPHABET, min_size=9, max_size=9)
)
def test_any_body_with_its_check_character_is_valid_and_any_other_is_not(digits, rest):
    body = digits + rest
    good = body + uscc.calc_check_digit(body)
    assert normalize_uscc(good) == good
    for c in ALPHABET:
        if c != good[-1]:
            with pytest.raises(IdentifierError):
                normalize_uscc(body + c)
            break


def test_ric_checked_and_masked():
    code = make_ric("13010219850612123")
    assert normalize_ric(code) == code
    assert mask_ric(code) == "1301" + "*" * 10 + code[-4:]
    with pytest.raises(IdentifierError, match="校验位不符：请对照身份证核对全部 18 位"):
        normalize_ric(code[:-1] + ("0" if code[-1] != "0" else "1"))
    with pytest.raises(IdentifierError, match="应为 18 位"):
        normalize_ric(code[:15])


def test_ric_with_impossible_birth_date_refused():
    with pytest.raises(IdentifierError, match="出生日期 19851332 不是有效日期"):
        normalize_ric(make_ric("13010219851332123"))


def test_names_masked_to_surname():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"


@pytest.mark.parametrize(
    "code, level, parent",
    [
        ("130000", "province", None),
        ("130100", "city", "130000"),
        ("130110", "county", "130100"),
        ("130110100", "township", "130110"),
    ],
)
def test_region_levels_and_parents_from_code_shape(code, level, parent):
    assert region_level(code) == level
    assert region_parent_code(code) == parent


@pytest.mark.parametrize(
    "raw, code", [("H6210", "6210"), ("6210", "6210"), ("h", "H"), ("C13", "13"), ("62", "62")]
)
def test_industry_codes(raw, code):
    assert normalize_industry_code(raw) == code


@pytest.mark.parametrize("raw", ["Z01", "6", "62101", "餐饮"])
def test_bad_industry_codes(raw):
    with pytest.raises(IdentifierError, match="行业代码"):
        normalize_industry_code(raw)
