"""``nqpf-tutor new``: the starter deck validates clean and is never written over by accident."""

import json
from collections import Counter

import jsonschema
import pytest
import yaml

from nqpf_tutor.cli import main
from nqpf_tutor.core.authoring import AuthoringError, starter_deck_text, write_starter_deck
from nqpf_tutor.core.loader import load_deck_file, validate_paths
from nqpf_tutor.core.model import CARD_TYPES
from nqpf_tutor.core.schema import build_schema
from nqpf_tutor.locations import schema_path


def test_starter_deck_loads_clean_with_every_card_type(tmp_path):
    path = write_starter_deck(tmp_path / "My_first-deck.yaml")
    assert validate_paths([path]) == []
    deck = load_deck_file(path)
    assert deck.id == "my-first-deck" and deck.title == "My first deck"
    written = {c.type for c in deck.cards if c.table is None}
    assert written == set(CARD_TYPES)
    assert Counter(c.type for c in deck.cards if c.table is None) == Counter(CARD_TYPES)
    generated = [c for c in deck.cards if c.table]
    assert {c.id for c in generated} >= {"eras.steam.power", "eras.steam.power.which"}
    assert all("The first era." in c.explanation for c in generated if c.id.startswith("eras.steam."))
    cloze = next(c for c in deck.cards if c.type == "cloze")
    assert cloze.cloze_answers() == ["workers", "means of labour", "objects of labour"]
    assert cloze.blank_answers(1) == ["means of labour", "means of labor"]


def test_starter_deck_points_at_the_installed_schema_and_satisfies_it(tmp_path):
    path = write_starter_deck(tmp_path / "deck.yaml")
    text = path.read_text("utf-8")
    first = text.splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema_path().as_uri()}"
    assert schema_path().is_file()
    doc = yaml.safe_load(text)
    jsonschema.validate(doc, build_schema())
    jsonschema.validate(doc, json.loads(schema_path().read_text("utf-8")))


def test_starter_deck_explains_each_key_in_comments(tmp_path):
    text = starter_deck_text(tmp_path / "x.yaml", schema="deck.schema.json")
    commented = {line.split(":")[0].strip(" -#") for line in text.splitlines() if "#" in line.partition(":")[2]}
    for key in ("id", "type", "prompt", "answer", "explanation", "tags", "sources", "title", "description",
                "row_label", "columns", "rows"):
        assert key in commented, key
    for ctype in CARD_TYPES:
        assert f"# {ctype}:" in text, ctype  # a comment introducing each card type


def test_odd_file_names_still_give_a_valid_deck(tmp_path):
    path = write_starter_deck(tmp_path / 'Ünïcode "quoted" deck.yml')
    deck = load_deck_file(path)
    assert deck.id == "n-code-quoted-deck" and deck.title == 'Ünïcode "quoted" deck'


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "deck.yaml"
    path.write_text("mine\n", "utf-8")
    with pytest.raises(AuthoringError, match="already exists; use --force"):
        write_starter_deck(path)
    assert path.read_text("utf-8") == "mine\n"
    assert main(["--data-dir", str(tmp_path / "data"), "new", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"nqpf-tutor: {path} already exists; use --force to overwrite it\n"
    assert path.read_text("utf-8") == "mine\n"
    assert main(["--data-dir", str(tmp_path / "data"), "new", str(path), "--force"]) == 0
    assert load_deck_file(path).id == "deck"


def test_missing_folder_and_other_bad_paths_are_one_line_errors(tmp_path, capsys):
    missing = tmp_path / "nope" / "deck.yaml"
    assert main(["--data-dir", str(tmp_path / "data"), "new", str(missing)]) == 1
    assert capsys.readouterr().err == f"nqpf-tutor: cannot write {missing}: folder {missing.parent} does not exist\n"
    assert not missing.parent.exists()
    assert main(["--data-dir", str(tmp_path / "data"), "new", str(tmp_path / "deck.txt")]) == 1
    assert capsys.readouterr().err.endswith("a deck file name ends in .yaml or .yml\n")
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    assert main(["--data-dir", str(tmp_path / "data"), "new", str(folder)]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_new_command_output(tmp_path, capsys):
    path = tmp_path / "deck.yaml"
    assert main(["--data-dir", str(tmp_path / "data"), "new", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == f"wrote {path}; check it with: nqpf-tutor validate {path}\n"
    assert main(["validate", str(path)]) == 0
