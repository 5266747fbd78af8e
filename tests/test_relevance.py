"""Tests of tasks/relevance.py (and tasks/terms.py under it): is a text about China and Russia?"""

from __future__ import annotations

import pytest

from config import load_settings
from tasks.relevance import Relevance, judge
from tasks.terms import count_terms, term_pattern

TOPIC = load_settings().topic  # min_mentions = 3


def counts(text: str, title: str | None = None) -> tuple[int, int]:
    result = judge(title, text, TOPIC)
    return result.china_mentions, result.russia_mentions


@pytest.mark.parametrize(
    ("text", "china", "russia"),
    [
        # whole words only
        ("Xinjiang and Xiamen", 0, 0),
        ("Chinatown and Russianness", 0, 0),
        ("Sinologists at the Kremlinology desk", 0, 0),
        ("Xi met Putin", 1, 1),
        # inflected and compound forms are their own terms
        ("Russian Russians Russia", 0, 3),
        ("Sino-Russian ties", 1, 1),
        ("Russo-Chinese trade", 1, 1),
        ("Chinese-made, Beijing-based, Kremlin-backed", 2, 1),
        ("Moscow's view and China's answer", 1, 1),
        ("Xi\u2019s visit", 1, 0),
        # any case
        ("CHINA china China", 3, 0),
        ("russia RUSSIA", 0, 2),
        ("PRC prc", 2, 0),
        # the longest term wins, so a name is counted once
        ("the People's Republic of China", 1, 0),
        ("Xi Jinping", 1, 0),
        ("Vladimir Putin and Sergei Lavrov", 0, 2),
        ("Sinopec", 1, 0),
        # multi-word terms match across any whitespace
        ("Xi\nJinping and Vladimir  Putin", 1, 1),
        ("", 0, 0),
    ],
)
def test_counts(text: str, china: int, russia: int) -> None:
    assert counts(text) == (china, russia)


def test_title_counts_too() -> None:
    assert counts("Nothing here.", title="Beijing and Moscow") == (1, 1)
    assert counts("Nothing here.", title=None) == (0, 0)


def test_score_is_the_smaller_side() -> None:
    text = "China " * 9 + "Russia " * 4
    result = judge(None, text, TOPIC)
    assert result == Relevance(4.0, True, 9, 4)
    assert isinstance(result.score, float)


def test_one_side_cannot_carry_the_other() -> None:
    result = judge("China, China, China", "Beijing and Xi Jinping met Putin.", TOPIC)
    assert (result.china_mentions, result.russia_mentions) == (5, 1)
    assert result.score == 1.0
    assert result.relevant is False


@pytest.mark.parametrize(("mentions", "relevant"), [(2, False), (3, True), (4, True)])
def test_min_mentions_threshold(mentions: int, relevant: bool) -> None:
    text = " ".join(["Beijing and Moscow talked."] * mentions)
    result = judge(None, text, TOPIC)
    assert result.score == mentions
    assert result.relevant is relevant


def test_min_mentions_setting() -> None:
    strict = TOPIC.model_copy(update={"min_mentions": 5})
    lenient = TOPIC.model_copy(update={"min_mentions": 1})
    text = "China and Russia. Beijing and Moscow. Xi and Putin."
    assert judge(None, text, TOPIC).relevant is True
    assert judge(None, text, strict).relevant is False
    assert judge(None, "China and Russia.", lenient).relevant is True


def test_configured_terms_are_used() -> None:
    topic = TOPIC.model_copy(
        update={"china": ["Middle Kingdom"], "russia": ["Rus"], "min_mentions": 1}
    )
    assert counts_with(topic, "The Middle Kingdom and Rus; China and Russia.") == (1, 1)


def counts_with(topic, text: str) -> tuple[int, int]:
    result = judge(None, text, topic)
    return result.china_mentions, result.russia_mentions


def test_term_pattern() -> None:
    assert count_terms("U.S.-China talks", ("U.S.",)) == 1  # a term ending in punctuation
    assert count_terms("a  b", (" a b ", "")) == 1  # blank terms ignored, terms stripped
    assert term_pattern(("x", "y")) is term_pattern(("x", "y"))  # compiled once


def test_headline_repeated_at_the_start_of_the_text_counts_once() -> None:
    title = "Xi and Putin meet in Moscow"
    text = f"{title}\nThe leaders of China and Russia talked for hours."
    # The article names China twice (Xi, China) and Russia three times (Putin, Moscow, Russia).
    assert counts(text, title=title) == (2, 3)
