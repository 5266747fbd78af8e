"""Tests of tasks/relevance.py (and tasks/terms.py under it): is a text about China and Russia?

The score adds up where both sides appear together (headline, lead, sentences, paragraphs) and the
relationship terms found where they do; an article is relevant when the score reaches the threshold
and each side is named at least min_mentions times.
"""

from __future__ import annotations

import json

import pytest

from config import load_settings
from tasks.records import Relevance
from tasks.relevance import LEAD_CHARS, judge
from tasks.terms import arabic_stems, count_terms, find_terms, headline_and_text, matcher

TOPIC = load_settings().topic  # threshold = 6.0, min_mentions = 2
WEIGHTS = TOPIC.weights


def counts(text: str, title: str | None = None) -> tuple[int, int]:
    result = judge(title, text, TOPIC)
    return result.china_mentions, result.russia_mentions


def test_default_topic() -> None:
    assert (TOPIC.threshold, TOPIC.min_mentions) == (6.0, 2)
    assert (WEIGHTS.title, WEIGHTS.lead, WEIGHTS.sentence, WEIGHTS.paragraph) == (4, 3, 1, 0.5)
    assert (WEIGHTS.max_sentences, WEIGHTS.max_paragraphs, WEIGHTS.max_relation) == (6, 4, 4)


# ---- counting the two sides ----


@pytest.mark.parametrize(
    ("text", "china", "russia"),
    [
        # whole words only
        ("Xinjiang and Xiamen", 0, 0),
        ("Chinatown and Russianness", 0, 0),
        ("Sinologists and Mr Moscowitz", 0, 0),
        # every language's terms apply to every text: German Kreml* begins "Kremlinology"
        ("Sinologists at the Kremlinology desk", 0, 1),
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
        # other languages: prefixes for inflected forms, Chinese anywhere
        ("Си Цзиньпин прибыл в Россию, в Москве его встретил Путин", 1, 3),
        ("Председатель КНР и президент РФ", 1, 1),
        ("习近平同普京在莫斯科会谈", 1, 2),
        ("中俄关系", 1, 1),  # 中俄 ("China-Russia") names both sides
        ("Peking und Moskau, der russische und der chinesische Präsident", 2, 2),
        ("Pékin et Moscou, la Chine et la Russie, un partenariat sino-russe", 3, 3),
    ],
)
def test_counts(text: str, china: int, russia: int) -> None:
    assert counts(text) == (china, russia)


def test_title_counts_too() -> None:
    assert counts("Nothing here.", title="Beijing and Moscow") == (1, 1)
    assert counts("Nothing here.", title=None) == (0, 0)


def test_headline_repeated_at_the_start_of_the_text_counts_once() -> None:
    title = "Xi and Putin meet in Moscow"
    text = f"{title}\nThe leaders of China and Russia talked for hours."
    # The article names China twice (Xi, China) and Russia three times (Putin, Moscow, Russia).
    assert counts(text, title=title) == (2, 3)


def test_terms_of_every_language_are_used() -> None:
    for language in ("en", "ru", "zh", "de", "fr"):
        assert TOPIC.china[language] and TOPIC.russia[language] and TOPIC.relation[language]
        assert set(TOPIC.china[language]) <= set(TOPIC.china_terms)
        assert set(TOPIC.russia[language]) <= set(TOPIC.russia_terms)
        assert set(TOPIC.relation[language]) <= set(TOPIC.relation_terms)
    assert len(TOPIC.china_terms) == sum(len(terms) for terms in TOPIC.china.values())


# ---- tasks/terms.py ----


def test_term_matcher() -> None:
    assert count_terms("U.S.-China talks", ("U.S.",)) == 1  # a term ending in punctuation
    assert count_terms("a  b", (" a b ", "")) == 1  # blank terms ignored, terms stripped
    assert count_terms("anything", ("", "*", "  ")) == 0  # nothing left: matches nothing
    assert matcher(("x", "y")) is matcher(("x", "y"))  # built once


@pytest.mark.parametrize(
    ("text", "term", "found"),
    [
        # a term ending in * matches the words it begins ...
        ("Россия, России, Россию и Россией", "Росси*", ["Россия", "России", "Россию", "Россией"]),
        ("РОССИИ и россии", "Росси*", ["РОССИИ", "россии"]),
        ("Си Цзиньпином и Си  Цзиньпина", "Си Цзиньпин*", ["Си Цзиньпином", "Си  Цзиньпина"]),
        ("chinesische, chinesischen Firmen", "chinesisch*", ["chinesische", "chinesischen"]),
        ("Russie", "Russie*", ["Russie"]),  # the bare stem too
        # ... but only from a word's start
        ("Белоруссия и Пруссия", "Росси*", []),
        ("Indochinese", "Chinese*", []),
        # without *, whole words only
        ("Russians", "Russia", []),
        ("Пекина", "Пекин", []),
        # Chinese terms match anywhere: Chinese has no spaces between words
        ("中俄关系进入新时代", "中俄", ["中俄"]),
        ("国家主席习近平同普京会谈", "习近平", ["习近平"]),
        ("普京访华。普京！", "普京", ["普京", "普京"]),
        ("Президент 普京 и 习近平", "普京", ["普京"]),
    ],
)
def test_prefix_and_cjk_terms(text: str, term: str, found: list[str]) -> None:
    assert find_terms(text, (term,)) == found
    assert count_terms(text, (term,)) == len(found)


def test_each_text_finds_its_own_places() -> None:
    # A text is cut into words once and kept for the next matcher: each text's terms are found
    # where they stand in it, the words of a longer match not again on their own ("Siberia" in
    # "Power of Siberia"), and "power of power of Siberia" from its second "power".
    terms = ("power of siberia", "siberia", "gas", "газ*")
    found = [
        [(m.start, m.text) for m in matcher(terms).find(text)]
        for text in [
            "Gas from Siberia. Power of Siberia carries gas.",
            "Power of Siberia: gas, gas.",
            "Газпром и газ, power of power of Siberia",
            "Gas from Siberia. Power of Siberia carries gas.",
        ]
    ]
    assert found == [
        [(0, "Gas"), (9, "Siberia"), (18, "Power of Siberia"), (43, "gas")],
        [(0, "Power of Siberia"), (18, "gas"), (23, "gas")],
        [(0, "Газпром"), (10, "газ"), (24, "power of Siberia")],
        [(0, "Gas"), (9, "Siberia"), (18, "Power of Siberia"), (43, "gas")],
    ]


def test_longest_term_wins_across_prefixes() -> None:
    assert find_terms("Си Цзиньпином", ("Си", "Си Цзиньпин*")) == ["Си Цзиньпином"]
    assert find_terms("中俄关系", ("中俄", "关系", "中俄关系")) == ["中俄关系"]


def test_headline_and_text() -> None:
    assert headline_and_text("Title", "Body") == "Title\nBody"
    assert headline_and_text("Title", "  Title\nBody") == "  Title\nBody"
    assert headline_and_text(None, "Body") == "Body"
    assert headline_and_text("", "Body") == "Body"


# ---- the score ----


def test_score_adds_up_its_components() -> None:
    title = "Xi and Putin meet"
    text = "Xi met Putin. China and Russia signed a gas deal.\nThe weather in Moscow was fine."
    result = judge(title, text, TOPIC)
    assert result.evidence["components"] == {
        "title": 4.0,  # the headline names both
        "lead": 3.0,  # the lead names both
        "sentences": 2.0,  # two sentences name both
        "paragraphs": 0.5,  # one paragraph names both
        "relation": 3.0,  # met, gas, deal
        "listing": 0.0,  # no sentence only lists the two
    }
    assert result.score == 12.5
    assert isinstance(result.score, float)
    assert result == Relevance(
        score=12.5,
        threshold=6.0,
        relevant=True,
        china_mentions=3,
        russia_mentions=4,
        evidence=result.evidence,
    )


def test_components_are_capped() -> None:
    sentence = "China and Russia held talks on trade, gas, oil, pipeline and payments."
    text = "\n".join([sentence] * 10)
    components = judge(None, text, TOPIC).evidence["components"]
    assert components["sentences"] == WEIGHTS.sentence * WEIGHTS.max_sentences == 6.0
    assert components["paragraphs"] == WEIGHTS.paragraph * WEIGHTS.max_paragraphs == 2.0
    assert components["relation"] == WEIGHTS.relation * WEIGHTS.max_relation == 4.0


def test_relation_terms_count_only_where_both_sides_are_named() -> None:
    text = (
        "China and Russia met.\n"
        "Gas, oil, pipeline, trade and sanctions were on the agenda in Beijing.\n"
        "Moscow also spoke of a treaty."
    )
    result = judge(None, text, TOPIC)
    assert result.evidence["relation"] == ["met"]
    assert result.evidence["components"]["relation"] == 1.0


def test_relation_terms_are_distinct() -> None:
    text = "China and Russia held talks. Russia and China held more talks. Talks, talks."
    assert judge(None, text, TOPIC).evidence["relation"] == ["talks"]


def test_lead_is_the_first_characters_after_the_headline() -> None:
    title = "Markets close higher on Friday"
    filler = "Shares rose. " * (LEAD_CHARS // 13 + 1)
    late = f"{title}\n{filler}\nChina and Russia were not mentioned until here."
    early = f"{title}\nChina and Russia opened the day. {filler}"
    assert judge(title, late, TOPIC).evidence["components"]["lead"] == 0.0
    assert judge(title, early, TOPIC).evidence["components"]["lead"] == WEIGHTS.lead


PASSING_MENTION = """Markets wrap: European shares edge higher as investors await rate decisions

European shares rose on Tuesday, led by banks and carmakers, as investors looked ahead to interest \
rate decisions later in the week. The pan-European index gained 0.4 percent by midday.

Oil prices climbed after reports of lower output from Russia, with Brent crude near 85 dollars a \
barrel. Traders also pointed to a weaker dollar.

In Asia, copper rose on hopes of stronger demand from China after factory data beat forecasts. \
Chinese stocks closed mixed, while the yen was little changed.

Wheat futures slipped as Russian exports picked up pace. Gold was steady. Analysts said the main \
risk remained inflation data from the United States and the euro zone."""

BRIEF_TITLE = "Xi and Putin meet in Moscow"
BRIEF = (
    "Chinese leader Xi Jinping met Russian President Vladimir Putin in the Kremlin on Monday. "
    "The two discussed energy and trade."
)


def test_passing_mention_scores_below_the_threshold() -> None:
    """A markets wrap names both sides often enough, but never together."""
    title = PASSING_MENTION.splitlines()[0]
    result = judge(title, PASSING_MENTION, TOPIC)
    assert result.china_mentions >= TOPIC.min_mentions
    assert result.russia_mentions >= TOPIC.min_mentions
    assert result.evidence["min_mentions_met"] is True
    assert result.score < TOPIC.threshold
    assert result.relevant is False
    assert result.evidence["joint_sentences"] == 0


def test_short_brief_naming_both_in_headline_and_lead_scores_above_the_threshold() -> None:
    result = judge(BRIEF_TITLE, BRIEF, TOPIC)
    assert len(BRIEF) < LEAD_CHARS
    assert result.evidence["components"]["title"] == WEIGHTS.title
    assert result.evidence["components"]["lead"] == WEIGHTS.lead
    assert result.score >= TOPIC.threshold
    assert result.relevant is True


def test_brief_without_its_headline_needs_the_body() -> None:
    """Without the headline the same brief has only its lead and one sentence: not enough."""
    result = judge(None, BRIEF, TOPIC)
    assert result.evidence["components"]["title"] == 0.0
    assert result.score < TOPIC.threshold
    assert result.relevant is False


MEETINGS = {
    "ru": (
        "Путин и Си Цзиньпин провели переговоры в Москве",
        "Президент России Владимир Путин встретился с председателем КНР Си Цзиньпином в Кремле. "
        "Стороны обсудили сотрудничество в области энергетики и поставки газа в Китай.\n"
        "Пекин и Москва подписали соглашение о партнерстве.",
    ),
    "zh": (
        "习近平与普京在莫斯科举行会谈",
        "国家主席习近平在莫斯科克里姆林宫同俄罗斯总统普京举行会谈。双方同意深化中俄全面战略协作"
        "伙伴关系，扩大能源和贸易合作。\n北京和莫斯科签署了多项协议。",
    ),
    "de": (
        "Xi und Putin treffen sich in Moskau",
        "Der chinesische Staatschef Xi Jinping ist in Moskau mit dem russischen Präsidenten "
        "Wladimir Putin zusammengetroffen. Bei den Gesprächen ging es um Gaslieferungen und den "
        "Handel zwischen Russland und China.\nPeking und Moskau unterzeichneten ein Abkommen.",
    ),
    "fr": (
        "Xi et Poutine se rencontrent à Moscou",
        "Le président chinois Xi Jinping a rencontré Vladimir Poutine au Kremlin, à Moscou. Les "
        "entretiens ont porté sur le gaz, le commerce et le partenariat entre la Chine et la "
        "Russie.\nPékin et Moscou ont signé un accord de coopération.",
    ),
}


@pytest.mark.parametrize("language", list(MEETINGS))
def test_meeting_reported_in_other_languages_is_relevant(language: str) -> None:
    title, text = MEETINGS[language]
    result = judge(title, text, TOPIC)
    components = result.evidence["components"]
    assert components["title"] == WEIGHTS.title
    assert components["lead"] == WEIGHTS.lead
    assert result.evidence["joint_sentences"] >= 2
    assert components["relation"] >= 2.0
    assert result.relevant is True
    # Even without its headline the report is relevant.
    assert judge(None, text, TOPIC).relevant is True


@pytest.mark.parametrize("language", list(MEETINGS))
def test_other_languages_need_their_own_terms(language: str) -> None:
    """The English terms alone do not see the Russian or Chinese report (the control)."""
    title, text = MEETINGS[language]
    english = TOPIC.model_copy(
        update={
            "china": {"en": TOPIC.china["en"]},
            "russia": {"en": TOPIC.russia["en"]},
            "relation": {"en": TOPIC.relation["en"]},
        }
    )
    assert judge(title, text, english).score < judge(title, text, TOPIC).score
    # German and French share some names with English (Xi, Putin, Kremlin); Russian and Chinese
    # share none.
    if language in ("ru", "zh"):
        assert judge(title, text, english).score == 0.0


def test_one_side_cannot_carry_the_other() -> None:
    """A high score does not help when one side is named once only."""
    text = "China, Beijing and Xi hosted Russia for summit talks on gas, oil and trade."
    result = judge(None, text, TOPIC)
    assert (result.china_mentions, result.russia_mentions) == (3, 1)
    assert result.score >= TOPIC.threshold
    assert result.evidence["min_mentions_met"] is False
    assert result.relevant is False


@pytest.mark.parametrize(
    ("repeats", "score", "relevant"),
    [(1, 4.5, False), (2, 5.5, False), (3, 6.5, True), (4, 7.5, True)],
)
def test_threshold(repeats: int, score: float, relevant: bool) -> None:
    # lead 3 + one sentence each + one paragraph 0.5; "talked" is no relationship term, so the
    # link gate is switched off here to see the threshold alone.
    text = " ".join(["Beijing and Moscow talked."] * repeats)
    result = judge(None, text, TOPIC.model_copy(update={"min_links": 0}))
    assert result.score == score
    assert result.threshold == TOPIC.threshold
    assert result.relevant is relevant
    # with the default gate, naming both without a relationship term is never enough
    assert judge(None, text, TOPIC).relevant is False
    assert judge(None, text, TOPIC).evidence["min_links_met"] is False


def test_threshold_and_min_mentions_settings() -> None:
    text = "China and Russia met. Beijing and Moscow. Xi and Putin."
    strict = TOPIC.model_copy(update={"min_mentions": 5})
    high = TOPIC.model_copy(update={"threshold": 100.0})
    lenient = TOPIC.model_copy(update={"min_mentions": 1, "threshold": 0.0, "min_links": 0})
    assert judge(None, text, TOPIC).relevant is True
    assert judge(None, text, strict).relevant is False
    assert judge(None, text, high).relevant is False
    assert judge(None, text, high).threshold == 100.0
    assert judge(None, "China and Russia.", TOPIC).relevant is False
    assert judge(None, "China and Russia.", lenient).relevant is True


def test_weights_setting() -> None:
    no_title = TOPIC.model_copy(
        update={"weights": WEIGHTS.model_copy(update={"title": 0.0, "lead": 0.0})}
    )
    assert judge(BRIEF_TITLE, BRIEF, TOPIC).relevant is True
    result = judge(BRIEF_TITLE, BRIEF, no_title)
    assert result.evidence["components"]["title"] == 0.0
    assert result.relevant is False


def test_configured_terms_are_used() -> None:
    topic = TOPIC.model_copy(
        update={
            "china": {"en": ["Middle Kingdom"]},
            "russia": {"ru": ["Рус*"]},
            "relation": {"en": ["handshake"]},
            "min_mentions": 1,
        }
    )
    result = judge(
        None, "The Middle Kingdom and Русь shook hands; a handshake. China and Russia.", topic
    )
    assert (result.china_mentions, result.russia_mentions) == (1, 1)
    assert result.evidence["relation"] == ["handshake"]


# ---- the evidence ----


def test_evidence() -> None:
    title, text = MEETINGS["fr"]
    result = judge(title, text, TOPIC)
    evidence = result.evidence
    assert set(evidence) == {
        "components",
        "china",
        "russia",
        "relation",
        "relation_terms",
        "pair",
        "joint_sentences",
        "joint_paragraphs",
        "links",
        "listing",
        "listing_sentences",
        "examples",
        "min_mentions_met",
        "min_links_met",
    }
    assert set(evidence["components"]) == {
        "title",
        "lead",
        "sentences",
        "paragraphs",
        "relation",
        "listing",
    }
    assert sum(evidence["components"].values()) == result.score
    # the terms as written, each once, sorted
    assert evidence["china"] == ["Chine", "Pékin", "Xi", "Xi Jinping", "chinois"]
    assert evidence["russia"] == ["Kremlin", "Moscou", "Poutine", "Russie"]
    assert evidence["relation"] == sorted(evidence["relation"])
    assert {"entretiens", "gaz", "commerce", "accord"} <= set(evidence["relation"])
    assert (evidence["joint_sentences"], evidence["joint_paragraphs"]) == (3, 2)
    # the examples are the sentences where a relationship term links both sides ("a rencontré"
    # is no relation term: the first sentence names both but links nothing)
    assert evidence["examples"][0] == (
        "Les entretiens ont porté sur le gaz, le commerce et le partenariat entre la Chine et la "
        "Russie."
    )
    assert evidence["links"] == 2
    assert evidence["min_mentions_met"] is True
    # It goes to the warehouse as JSON.
    assert json.loads(json.dumps(evidence, ensure_ascii=False)) == evidence


def test_evidence_examples_are_few_and_short() -> None:
    long_sentence = "China and Russia held talks on " + "many things " * 20 + "at length."
    text = " ".join([long_sentence] * 5)
    examples = judge(None, text, TOPIC).evidence["examples"]
    assert len(examples) == 3
    assert all(len(example) == 200 for example in examples)


def test_evidence_of_an_unrelated_text() -> None:
    result = judge("Weather", "Sunny in Lisbon all week.", TOPIC)
    assert result.score == 0.0 and result.relevant is False
    assert result.evidence["china"] == result.evidence["russia"] == []
    assert result.evidence["examples"] == [] and result.evidence["relation"] == []
    assert result.evidence["min_mentions_met"] is False


# ---- known problems ----


def test_headline_repeated_at_the_start_of_the_text_scores_once() -> None:
    title = "Xi and Putin hold talks on gas pipeline deal"
    body = (
        "Oil prices rose after reports from Russia.\n"
        "Copper gained on demand from China.\n"
        "Russian wheat exports and Chinese stocks were steady."
    )
    assert judge(title, f"{title}\n{body}", TOPIC).score == judge(title, body, TOPIC).score


def test_inflected_forms_of_one_relation_term_count_once() -> None:
    russian = (
        "Россия и Китай провели переговоры, и на переговорах Путин и Си Цзиньпин говорили о "
        "переговорном процессе."
    )
    english = (
        "Russia and China held talks, and at the talks Putin and Xi spoke of the talks process."
    )
    assert judge(None, english, TOPIC).evidence["components"]["relation"] == 1.0
    assert judge(None, russian, TOPIC).evidence["components"]["relation"] == 1.0


@pytest.mark.parametrize(
    "word", ["газета", "газеты", "ученик", "Gasse", "Gastgeber"], ids=lambda w: w
)
def test_relation_prefixes_do_not_match_unrelated_words(word: str) -> None:
    assert find_terms(word, TOPIC.relation_terms) == []


# ---- relationship, not co-occurrence (issue 12) ----


def linked(text: str, title: str | None = None) -> Relevance:
    return judge(title, text, TOPIC)


@pytest.mark.parametrize(
    ("text", "kind", "word"),
    [
        (
            "China beat Russia 3-0 in the volleyball semi-final. China and Russia met again.",
            "sport",
            "beat",
        ),
        (
            "Oil prices rose as Russia cut output and China imported more oil. China, Russia.",
            "market",
            "prices",
        ),
        (
            "China and Russia abstained in the vote on the resolution. China and Russia talks.",
            "vote",
            "abstained",
        ),
        (
            "Countries including China and Russia raised trade barriers. China and Russia.",
            "list",
            "countries including",
        ),
    ],
)
def test_listing_sentences_link_nothing_and_are_named(text: str, kind: str, word: str) -> None:
    result = linked(text)
    assert result.evidence["listing"][kind] == [word] or word in result.evidence["listing"][kind]
    assert result.evidence["listing_sentences"] == 1
    assert result.evidence["components"]["listing"] < 0
    # the listing sentence carries a relation term, but only the other sentence may link
    assert result.evidence["links"] == (1 if "met" in text or "talks" in text else 0)


def test_a_listing_costs_points_but_never_drives_the_score_below_zero() -> None:
    text = "China beat Russia in the final. Russia beat China in the semi-final."
    result = linked(text, title="China beat Russia in volleyball final")
    assert result.evidence["listing_sentences"] == 3  # two sentences and the headline
    assert result.evidence["components"]["title"] == 0.0
    assert result.score == 0.0 and result.relevant is False
    assert round(sum(result.evidence["components"].values()), 2) == result.score


@pytest.mark.parametrize(
    ("text", "links"),
    [
        # one clause naming both, with a relationship term: a link
        ("Russia and China signed a trade deal.", 1),
        ("Russian President Vladimir Putin and Chinese leader Xi Jinping signed a gas deal.", 1),
        ("Trade between Russia and China rose to a record.", 1),
        # a break word starts a new clause: each side in its own clause, no link
        ("Russia sold more wheat to Egypt, while China bought Australian barley and oil.", 0),
        ("Russia cut its gas exports, but China raised its imports from Qatar.", 0),
        # "and" after a clause that already says something starts a new one
        ("Russia's wheat exports to Egypt surged and China's imports of barley fell.", 0),
        # in other languages too
        ("Россия продаёт нефть Индии, а Китай покупает газ в Катаре.", 0),
        ("Россия и Китай подписали соглашение о поставках газа.", 1),
        ("俄罗斯向埃及出口小麦，而中国从澳大利亚进口大麦。", 0),
    ],
)
def test_a_relation_term_links_the_sides_only_within_one_clause(text: str, links: int) -> None:
    assert linked(text).evidence["links"] == links


def test_pair_words_stand_for_both_sides_once_both_are_named_enough() -> None:
    text = (
        "China is building a railway. Russia watches closely.\n"
        "The two neighbours signed a pipeline agreement on Monday.\n"
        "Beijing and Moscow did not say more."
    )
    result = linked(text)
    assert result.evidence["pair"] == ["the two neighbours"]
    assert result.evidence["links"] == 1
    assert {"pipeline", "agreement"} <= set(result.evidence["relation_terms"])
    # Russia named once: the pair word links nothing
    once = (
        "China is building a railway. Moscow watches.\nThe two neighbours signed a pipeline deal."
    )
    assert linked(once).evidence["pair"] == [] and linked(once).evidence["links"] == 0


def test_historical_and_institutional_names_count() -> None:
    text = (
        "In 1960 Khrushchev recalled the Soviet advisers from Mao's China, and the Sino-Soviet "
        "split began. The PLA and the Soviet Union clashed on the border in 1969; Zhongnanhai and "
        "the Kremlin restored relations in 1989."
    )
    result = linked(text)
    assert {"Mao", "China", "PLA", "Zhongnanhai", "Sino"} <= set(result.evidence["china"])
    assert {"Khrushchev", "Soviet", "Soviet Union", "Kremlin"} <= set(result.evidence["russia"])
    assert result.evidence["links"] >= 2 and result.relevant is True


TEN_LANGUAGES = ("en", "ru", "zh", "uk", "de", "fr", "es", "ja", "ko", "ar")


def test_ten_languages_have_terms_for_both_sides_and_the_relation() -> None:
    for language in TEN_LANGUAGES:
        assert TOPIC.china[language] and TOPIC.russia[language], language
        assert TOPIC.relation[language] and TOPIC.pair[language], language
        for kind in ("sport", "market", "vote", "list"):
            assert TOPIC.listing[kind][language], (kind, language)


MORE_MEETINGS = {
    "uk": (
        "Путін і Сі Цзіньпін провели переговори в Пекіні",
        "Президент Росії Путін зустрівся з лідером КНР Сі Цзіньпіном у Пекіні. Сторони обговорили "
        "постачання газу до Китаю.\nПекін і Москва підписали угоду про співпрацю.",
    ),
    "es": (
        "Xi y Putin se reúnen en Moscú",
        "El presidente chino Xi Jinping se reunió con Vladímir Putin en el Kremlin. Las "
        "conversaciones entre China y Rusia trataron del gas y del comercio.\nPekín y Moscú "
        "firmaron un acuerdo de cooperación.",
    ),
    "ja": (
        "習近平氏とプーチン氏がモスクワで会談",
        "中国の習近平国家主席はモスクワでロシアのプーチン大統領と会談した。両首脳は天然ガスと貿易の"
        "協力で合意した。\n中露は協定に署名した。",
    ),
    "ko": (
        "시진핑-푸틴 모스크바서 정상회담",
        "시진핑 중국 국가주석과 푸틴 러시아 대통령이 모스크바에서 정상회담을 했다. 중국과 러시아는 "
        "가스관 협력에 합의했다.\n양국은 무역 협정에 서명했다.",
    ),
    "ar": (
        "محادثات بين الصين وروسيا في موسكو",
        "عقد الرئيس الصيني شي جين بينغ محادثات مع الرئيس الروسي بوتين في الكرملين. واتفقت الصين "
        "وروسيا على التعاون في الغاز.\nووقعت بكين وموسكو اتفاقية للتجارة.",
    ),
}


@pytest.mark.parametrize("language", list(MORE_MEETINGS))
def test_meetings_in_the_new_languages_are_relevant(language: str) -> None:
    title, text = MORE_MEETINGS[language]
    result = judge(title, text, TOPIC)
    assert result.evidence["components"]["title"] == WEIGHTS.title
    assert result.evidence["links"] >= 2
    assert result.relevant is True


def test_korean_terms_match_with_their_particles() -> None:
    """Korean separates words but attaches particles: prefix terms (중국*) find 중국과, 중국은."""
    assert find_terms("중국과 러시아는 중국의", TOPIC.china_terms) == ["중국과", "중국의"]
    assert find_terms("중국과 러시아는", TOPIC.russia_terms) == ["러시아는"]
    assert find_terms("양국은 양측이", TOPIC.pair_terms) == ["양국은", "양측이"]
    # 관계 (relations) is listed by its inflected forms: 관계자 ("an official") is no relation
    assert find_terms("관계를 관계자", TOPIC.relation_terms) == ["관계를"]


@pytest.mark.parametrize(
    ("word", "stems"),
    [
        ("والصين", ["الصين"]),  # and + China
        ("للصين", ["الصين"]),  # for + the: the alif of the article drops
        ("ولروسيا", ["لروسيا", "روسيا"]),  # and + for + Russia
        ("بالنفط", ["النفط"]),  # by + the oil
        ("وزير", ["زير"]),  # a word that starts with و loses it too, but only if nothing matched
        ("بكين", ["كين"]),
    ],
)
def test_arabic_stems(word: str, stems: list[str]) -> None:
    assert arabic_stems(word) == stems


def test_arabic_terms_match_with_attached_conjunctions_and_prepositions() -> None:
    text = "وقعت الصين وروسيا اتفاقا للصين ولروسيا بالنفط، وزير بكين"
    assert find_terms(text, TOPIC.china_terms) == ["الصين", "للصين", "بكين"]
    assert find_terms(text, TOPIC.russia_terms) == ["وروسيا", "ولروسيا"]
    # Beijing (بكين) starts with ب: a word is stripped only when it matches no term whole
    assert find_terms("بكين", ("كين",)) == ["بكين"]
    assert [m.term for m in matcher(("كين", "بكين")).find("بكين")] == ["بكين"]


# ---- joint action and the state actors of each side (issue 21) ----


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        # the two as one subject of a joint act: no listing, a link
        ("China and Russia vetoed the resolution on sanctions.", 0),
        ("Россия и Китай наложили вето на проект резолюции.", 0),
        ("中国和俄罗斯共同否决了决议草案。", 0),
        ("China and Russia jointly voted against the resolution on sanctions.", 0),
        # among others, or acting apart, or no joint act: a listing
        ("China and Russia abstained together with India in the vote on the resolution.", 1),
        ("Russia vetoed the resolution on sanctions; China abstained.", 1),
        ("China, Russia and India abstained in the vote on the resolution.", 1),
        ("China and Russia abstained in the vote on the resolution.", 1),
    ],
)
def test_a_joint_vote_is_no_listing(text: str, listed: int) -> None:
    result = linked(text)
    assert result.evidence["listing_sentences"] == listed
    assert (result.evidence["joint_sentences"], bool(result.evidence["links"])) == (
        (0, False) if listed else (1, True)
    )


def test_a_joint_veto_in_the_headline_earns_the_title_weight() -> None:
    title = "Россия и Китай наложили вето на проект резолюции СБ ООН по КНДР"
    assert judge(title, "Россия.", TOPIC).evidence["components"]["title"] == WEIGHTS.title
    title = "China and Russia abstain with India on UN resolution"
    assert judge(title, "China.", TOPIC).evidence["components"]["title"] == 0.0


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Росатом и Росатома, Росатому", "russia"),
        ("НОВАТЭК, Новатэку, Роскосмоса, РЖД", "russia"),
        ("Rosatoms Eisbrecher, Gazprom Neft, Roscosmos", "russia"),
        ("COSCO, CNOOC, Sinopec, PetroChina, ICBC", "china"),
        ("海关总署、中远海运、国家航天局", "china"),
    ],
)
def test_state_companies_and_agencies_count_as_their_side(text: str, side: str) -> None:
    china, russia = counts(text)
    assert (china if side == "china" else russia) >= 3 and (
        russia if side == "china" else china
    ) == 0


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Visitors from China and Russia rose as hotels added flights and visas.", 0),
        ("Les étudiants venus de Chine et de Russie sont plus nombreux dans les universités.", 0),
        ("来自中国的游客和来自俄罗斯的游客都在增加，免签政策和航班带动了交流。", 0),
        # a direction is a dealing: from one side to the other
        ("Exports of grain from Russia to China rose by half.", 1),
        ("Поставки зерна из России в Китай выросли вдвое.", 1),
    ],
)
def test_a_common_origin_sets_the_two_side_by_side(text: str, links: int) -> None:
    assert linked(text).evidence["links"] == links


def test_a_combined_share_is_a_listing() -> None:
    result = linked("China and Russia together account for 12% of foreign students and trade.")
    assert result.evidence["listing"] == {"list": ["together account for"]}
    assert result.evidence["links"] == 0
