"""The verification gate: lexical support, the judge, and the extractive fallback."""

from __future__ import annotations

import datetime as dt

import pytest

from brief.embed import HashingEmbedder
from brief.facts import fact_id
from brief.records import Fact, Sentence
from brief.verify import ConstantJudge, Gate, complete_sentence, lexical_check

NOV16 = dt.date(2015, 11, 16)
NOV17 = dt.date(2015, 11, 17)


def sentence(text: str, published: dt.date = NOV17, article: str = "a1", index: int = 0) -> Sentence:
    return Sentence(article, index, 0, len(text), text, published)


def fact(*sentences: Sentence) -> Fact:
    return Fact(fact_id(sentences[0].text), sentences[0].text, tuple(sentences))


RAIDS = sentence("Interior Minister Bernard Cazeneuve said Tuesday that police carried out 128 police raids overnight.")
WANTED = sentence(
    "Police said the operation was related to the search for Saleh Abdeslam, a 26-year-old French citizen.", NOV16, "a2"
)


class TestLexicalCheck:
    def test_supported_numbers_names_and_night_pass(self) -> None:
        claim = "Police carried out 128 raids on the night of 16-17 November, Cazeneuve said."
        assert lexical_check(claim, [RAIDS]).passed

    def test_invented_number_is_caught(self) -> None:
        assert lexical_check("Police carried out 132 raids overnight.", [RAIDS]).missing == ("number 132",)

    def test_number_words_match_digits(self) -> None:
        assert lexical_check("Police carried out one hundred and twenty-eight raids overnight.", [RAIDS]).passed

    def test_wrong_night_is_caught(self) -> None:
        result = lexical_check("Police carried out 128 raids on the night of 15-16 November.", [RAIDS])
        assert "date (None, 11, 15)" in result.missing

    def test_invented_name_and_place_are_caught(self) -> None:
        result = lexical_check("Police are searching for Mohammed Abdeslam in Belgium.", [WANTED])
        assert set(result.missing) == {"name Mohammed", "name Belgium"}

    @pytest.mark.parametrize("spelling", ["Salah Abdelslam", "Saleh Abdeslam", "Salah Abdeslam"])
    def test_transliterations_of_a_cited_name_pass(self, spelling: str) -> None:
        assert lexical_check(f"Police are searching for {spelling}, 26, a French citizen.", [WANTED]).passed

    def test_a_different_short_name_is_not_a_transliteration(self) -> None:
        assert not lexical_check("Police are searching for Sami Abdeslam.", [WANTED]).passed

    def test_weekday_must_match_the_evidence(self) -> None:
        assert lexical_check("Cazeneuve spoke on Tuesday.", [RAIDS]).passed
        assert lexical_check("Cazeneuve spoke on Thursday.", [RAIDS]).missing == ("weekday thursday",)

    def test_hyphenated_names_match_their_parts(self) -> None:
        evidence = [sentence("French Defence Minister Jean-Yves Le Drian said EU partners could help.")]
        assert lexical_check("Jean-Yves Le Drian said EU partners could help.", evidence).passed


@pytest.mark.parametrize(
    ("text", "complete"),
    [("Kerry said,", False), ("Cazeneuve said police carried out 128 raids overnight, as he conceded that", False),
     ("Police carried out 128 raids overnight.", True), ('He said "this is war."', True)],
)
def test_complete_sentence(text: str, complete: bool) -> None:
    assert complete_sentence(text) is complete


class TestGate:
    raids = fact(RAIDS, sentence("Meanwhile, French police staged 128 raids overnight, Cazeneuve said.", NOV17, "a3", 4))
    wanted = fact(WANTED)

    def gate(self, score: float = 1.0) -> Gate:
        return Gate(ConstantJudge(score), HashingEmbedder(), threshold=0.65)

    def test_supported_claim_is_printed_as_written_with_every_outlet_cited(self) -> None:
        verdict = self.gate().check("Police carried out 128 raids overnight, Cazeneuve said.", [self.raids], [self.raids])
        assert verdict is not None
        claim = verdict.claim
        assert claim.method == "abstractive" and claim.text.startswith("Police carried out 128")
        assert {c.source for c in claim.citations} == {"a1", "a3"}
        assert claim.citations[0].quote == self.raids.text

    @pytest.mark.parametrize(
        "invented",
        [
            "Police carried out 312 raids overnight, Cazeneuve said.",  # a number
            "Police carried out 128 raids overnight, Prime Minister Valls said.",  # a name
            "Police carried out 128 raids on the night of 14-15 November.",  # a wrong night
        ],
    )
    def test_unsupported_claims_are_replaced_by_a_source_sentence(self, invented: str) -> None:
        verdict = self.gate().check(invented, [self.raids], [self.raids, self.wanted])
        assert verdict is not None
        assert verdict.claim.method == "extractive"
        assert verdict.claim.text == self.raids.text
        assert invented not in verdict.claim.text
        assert verdict.claim.checks[1].startswith("rejected: unsupported")

    def test_claim_the_judge_rejects_is_not_printed_as_written(self) -> None:
        verdict = self.gate(score=0.3).check("The interior minister arrested people.", [self.raids], [self.raids])
        assert verdict is not None
        assert verdict.claim.method == "extractive"
        assert verdict.claim.text == self.raids.text
        assert "entailment 0.30" in verdict.claim.checks[1]

    def test_missing_citation_is_found_by_alignment(self) -> None:
        verdict = self.gate().check("Police are searching for Saleh Abdeslam, 26.", [], [self.raids, self.wanted])
        assert verdict is not None and verdict.claim.method == "abstractive"
        assert [c.source for c in verdict.claim.citations] == ["a2"]

    def test_truncated_draft_falls_back(self) -> None:
        verdict = self.gate().check("Kerry said,", [self.raids], [self.raids])
        assert verdict is not None and verdict.claim.method == "extractive"


class TestNearVerbatim:
    source = fact(sentence("Police have yet to announce the capture of anyone suspected of direct involvement in the slaughter."))

    def test_a_copy_needs_no_judge(self) -> None:
        judge = ConstantJudge(0.0)
        verdict = Gate(judge, HashingEmbedder(), 0.65).check(
            "Police have yet to announce the capture of anyone suspected of direct involvement in the slaughter.",
            [self.source], [self.source],
        )
        assert verdict is not None and verdict.claim.method == "verbatim" and judge.calls == 0

    def test_a_light_edit_is_near_verbatim_and_needs_no_judge(self) -> None:
        judge = ConstantJudge(0.0)
        verdict = Gate(judge, HashingEmbedder(), 0.65).check(
            "Police have yet to announce the capture of anyone suspected of involvement in the slaughter.",
            [self.source], [self.source],
        )
        assert verdict is not None and verdict.claim.method == "near-verbatim" and judge.calls == 0

    def test_a_decimal_no_source_gives_is_refused(self) -> None:
        quake = fact(sentence("A magnitude 6.1 earthquake struck the coast on Monday."))
        verdict = Gate(ConstantJudge(1.0), HashingEmbedder(), 0.65).check(
            "A magnitude 7.4 earthquake struck the coast on Monday.", [quake], [quake]
        )
        assert verdict is not None and verdict.claim.method == "extractive"

    def test_a_copy_that_drops_a_negation_goes_to_the_judge(self) -> None:
        judge = ConstantJudge(0.0)
        verdict = Gate(judge, HashingEmbedder(), 0.65).check(
            "Police have announced the capture of anyone suspected of direct involvement in the slaughter.",
            [self.source], [self.source],
        )
        assert judge.calls == 1
        assert verdict is not None and verdict.claim.method == "extractive"
