"""Tests for the command line (brief.cli) with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from brief.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def test_every_command_has_an_example_in_its_help() -> None:
    for name, command in main.commands.items():
        assert "Example:" in (command.help or ""), name


# --------------------------------------------------------------------------- inspect


def test_inspect_prints_each_article_with_sentences_and_dropped_lines() -> None:
    result = CliRunner().invoke(main, ["inspect", str(SEEDS / "001_d4190f38c0055a75.txt")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "title:     France seeks military help from EU" in out
    assert "outlet:    DW" in out
    assert "published: 2015-11-17 (from dateline)" in out
    assert "    0  The EU has pledged support for France" in out
    assert "[navigation] 1. Skip to content" in out
    assert "[sign-off] blc/jil (AFP, AP, Reuters, dpa)" in out


def test_inspect_json_lists_articles_with_exact_offsets() -> None:
    result = CliRunner().invoke(main, ["inspect", str(SEEDS), "--json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 5
    first = records[0]
    assert set(first) == {
        "id",
        "path",
        "title",
        "outlet",
        "url",
        "author",
        "published",
        "published_from",
        "provenance",
        "sentences",
        "dropped",
    }
    assert (first["outlet"], first["published"], first["published_from"]) == ("RFE/RL", "2015-11-17", "text")
    assert first["dropped"][0] == {"text": "Accessibility links", "reason": "navigation"}
    sentences = first["sentences"]
    assert [s["index"] for s in sentences] == list(range(len(sentences)))
    assert all(s["end"] - s["start"] == len(s["text"]) for s in sentences)


def test_inspect_json_null_date(tmp_path: Path) -> None:
    body = (
        "Storm Hits Coast\n\n"
        + "The river rose above its banks and forced families out of their homes, officials said. " * 4
    )
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    records = json.loads(CliRunner().invoke(main, ["inspect", "--json", str(tmp_path)]).stdout)
    assert records[0]["published"] is None and records[0]["published_from"] is None


def test_inspect_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["inspect", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no such file or folder")
    assert result.stderr.count("\n") == 1


def test_inspect_empty_folder_exits_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["inspect", str(tmp_path)])
    assert result.exit_code == 1
    assert "Error: no article files" in result.stderr


def test_inspect_skipped_file_warns_and_exits_0(tmp_path: Path) -> None:
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "good.txt").write_text(
        (SEEDS / "002_c74584ab3f8b7ef3.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["inspect", "--json", str(tmp_path)])
    assert result.exit_code == 0
    assert "Warning: skipped" in result.stderr and "blob.txt" in result.stderr
    assert [Path(r["path"]).name for r in json.loads(result.stdout)] == ["good.txt"]


def test_inspect_help_states_the_size_limit() -> None:
    result = CliRunner().invoke(main, ["inspect", "--help"])
    assert result.exit_code == 0
    assert "5 MB" in result.output and "Example:" in result.output


FAKE_MODELS = {"BRIEF_EMBEDDER": "hashing", "BRIEF_SUMMARIZER": "first-facts", "BRIEF_JUDGE": "constant-1.0"}


def test_build_writes_pdf_json_and_digests_and_prints_their_paths(tmp_path: Path) -> None:
    """CLI wiring with model-free stand-ins; the real models are tested in test_brief_seeds.py."""
    result = CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(tmp_path), "--quiet"], env=FAKE_MODELS)
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (tmp_path / "brief-2015-11-17.pdf").read_bytes().startswith(b"%PDF")
    data = json.loads((tmp_path / "brief-2015-11-17.json").read_text())
    assert data["date"] == "2015-11-17" and data["topics"]
    assert data["models"]["summarizer"] == "first-facts"
    assert sorted((tmp_path / "digests" / "2015-11-17").glob("*.md"))


def test_build_prints_paths_and_honours_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(SEEDS), "--out", str(tmp_path), "--date", "2015-11-18", "--quiet"], env=FAKE_MODELS
    )
    assert result.exit_code == 0
    assert (tmp_path / "brief-2015-11-18.pdf").exists()
    loud = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    result = loud.invoke(main, ["build", str(SEEDS), "--out", str(tmp_path)], env=FAKE_MODELS)
    assert str(tmp_path / "brief-2015-11-17.pdf") in result.stdout


def test_build_missing_model_file_is_a_one_line_error(tmp_path: Path) -> None:
    env = {**FAKE_MODELS, "BRIEF_SUMMARIZER": str(tmp_path / "missing.gguf")}
    result = CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert "model file not found" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not list(tmp_path.glob("brief-*"))


def test_summarize_prints_cited_sentences() -> None:
    result = CliRunner().invoke(main, ["summarize", str(SEEDS), "--quiet"], env=FAKE_MODELS)
    assert result.exit_code == 0, result.output
    assert "Key developments (2015-11-17)" in result.output
    assert "[" in result.output and ":" in result.output
