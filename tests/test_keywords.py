"""Tests of tasks/keywords.py: trend keyword mentions, with aliases, whole words, any case."""

from __future__ import annotations

import pytest

from config import Keyword, load_settings
from tasks.keywords import count_keywords

KEYWORDS = load_settings().keywords


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        # an alias that contains the name counts once, not twice
        ("natural gas", {"gas": 1}),
        ("natural gas and LNG and gas and pipeline gas", {"gas": 4}),
        ("Power of Siberia 2, Power of Siberia-2 and Sila Sibiri", {"Power of Siberia": 3}),
        ("crude oil prices", {"oil": 1}),
        ("the yuan settlement in yuan and RMB", {"yuan": 3}),
        ("multipolarity in a multipolar world", {"multipolar": 2}),
        # whole words only
        ("gasoline and toiletries", {}),
        ("Ukrainians", {}),
        ("oil-rich Kyiv's Ukrainian", {"oil": 1, "Ukraine": 2}),
        # any case, any whitespace inside a term
        ("NATO nato Nato", {"NATO": 3}),
        ("natural\n  gas", {"gas": 1}),
        ("North Atlantic Treaty Organization", {"NATO": 1}),
        ("sanctions, sanctioned, sanction", {"sanctions": 3}),
        ("no-limits partnership without limits", {"no limits": 2}),
        ("the Shanghai Cooperation Organisation (SCO) and BRICS", {"SCO": 2, "BRICS": 1}),
        ("", {}),
    ],
)
def test_count_keywords(text: str, mentions: dict[str, int]) -> None:
    assert count_keywords(None, text, KEYWORDS) == mentions


def test_title_counts_too() -> None:
    assert count_keywords("Arctic gas", "The Northern Sea Route.", KEYWORDS) == {
        "Arctic": 2,
        "gas": 1,
    }


def test_only_mentioned_keywords_are_returned() -> None:
    result = count_keywords(None, "Taiwan Strait tension, Taipei responds.", KEYWORDS)
    assert result == {"Taiwan": 2}
    assert all(n > 0 for n in result.values())


def test_keys_are_keyword_names_in_config_order() -> None:
    keywords = [Keyword(name="Beta", aliases=["b2"]), Keyword(name="Alpha")]
    assert list(count_keywords(None, "alpha b2 beta", keywords)) == ["Beta", "Alpha"]
    assert count_keywords(None, "alpha b2 beta", keywords) == {"Beta": 2, "Alpha": 1}


def test_no_keywords() -> None:
    assert count_keywords("Gas", "gas", []) == {}


def test_headline_repeated_at_the_start_of_the_text_counts_once() -> None:
    title = "Power of Siberia 2 talks stall over gas price"
    text = f"{title}\nGazprom wants more for its gas."
    assert count_keywords(title, text, KEYWORDS) == {"Power of Siberia": 1, "gas": 2}


def test_keyword_terms_in_other_languages() -> None:
    """Keywords share the topic's term rules: * for prefixes, Chinese terms anywhere."""
    keywords = [
        Keyword(name="Power of Siberia", aliases=["Сила Сибири", "Силы Сибири", "西伯利亚力量"]),
        Keyword(name="sanctions", aliases=["санкци*", "制裁"]),
    ]
    text = "Газопровод «Сила Сибири 2» и «Силы Сибири»; 西伯利亚力量2号管道。санкции и санкциями; 对俄制裁"
    assert count_keywords(None, text, keywords) == {"Power of Siberia": 3, "sanctions": 3}
    assert count_keywords(None, "антисанкционный", keywords) == {}  # * only from a word's start
