"""PDF paper tests (export --format pdf, the app's p): read back with pypdf.

Every question, option and key entry is there in the version's order, each page says its
version and "Page i of N", no question is split across pages, page counts are stable for a
seed, A4 and Letter have their sizes, and text is data (brackets as typed, escapes gone).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")

from nqpf_tutor.cli import main
from nqpf_tutor.core.decks.pdf import FONT_DIR, key_pdf, paper_pdf
from nqpf_tutor.core.export import WrittenQuestion, answer_sources, key_answer, make_paper, question_kind
from nqpf_tutor.core.model import Card, Deck, Source

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def cards(n: int = 40, chinese: bool = False) -> list[Card]:
    out = []
    for i in range(n):
        out.append(Card("d", f"m{i:02d}", "mcq", f"Question number {i} asks about “topic {i}” — which one fits best here?",
                        f"Right {i}", distractors=(f"Wrong {i}a", f"Wrong {i}b", f"Wrong {i}c"), sources=("s",)))
    out += [
        Card("d", "tf", "truefalse", "Statement [bold] about Zoë and Ångström is true.", "True", sources=("s",)),
        Card("d", "ty", "typed", "Which city hosts the Canton Fair?", "Guangzhou", sources=("s",)),
        Card("d", "cz", "cloze", "The {{three highs}} are high technology, high {{efficiency}} and high quality.",
             "three highs; efficiency", sources=("s",)),
        Card("d", "or", "order", "Put the eras in order.", "Steam → Electricity → Information",
             items=("Steam", "Electricity", "Information"), sources=("s",)),
    ]
    if chinese:  # the CJK fallback font is read only for a paper that needs it
        out.append(Card("d", "zh", "mcq", "新质生产力 means what? \x1b[31m", "New quality productive forces",
                        distractors=("旧的生产力", "Old forces [/]", "Café crème")))
    return out


DECKS = {"d": Deck("d", "Test deck", sources={"s": Source("s", "The ABCs of NQPF", publisher="China Daily", date="2024-03-06")},
                   cards=tuple(cards()))}


def pages_text(data: bytes) -> list[str]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(data))
    return [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in reader.pages]


def test_every_question_option_and_key_entry_in_the_versions_order():
    for version in ("A", "B"):
        paper = make_paper(cards(), seed=5, version=version)
        sources = answer_sources(paper, DECKS)
        pages = pages_text(paper_pdf(paper, with_key=True, sources=sources))
        text = " ".join(pages)
        body, key = text.split(f"Answer key — version {version}")
        pos = 0
        for i, q in enumerate(paper.questions, 1):
            at = body.find(f"{i}. " + flat(q.prompt.replace("\x1b[31m", "")).split(" ")[0], pos)
            assert at >= pos, (version, i, q.prompt)
            pos = at
            for opt in list(q.options) + list(getattr(q, "items", ())):
                at = body.find(flat(opt), pos)
                assert at >= pos, (version, i, opt)
                pos = at
        pos = 0
        for i, q in enumerate(paper.questions, 1):
            at = key.find(f"{i}. {flat(key_answer(q))}", pos)
            assert at >= pos, (version, i, key_answer(q))
            pos = at
            if q.card.sources:
                assert key.find("Source: The ABCs of NQPF, China Daily, 2024-03-06", pos) > pos
        assert len(pages) >= 4


def test_versions_differ_in_question_and_option_order():
    a = make_paper(cards(), seed=5, version="A")
    b = make_paper(cards(), seed=5, version="B")
    assert {q.card.uid for q in a.questions} == {q.card.uid for q in b.questions}
    assert [q.card.uid for q in a.questions] != [q.card.uid for q in b.questions]
    opts_a = {q.card.uid: q.options for q in a.questions}
    assert any(opts_a[q.card.uid] != q.options for q in b.questions if q.options and q.card.type != "truefalse")
    ta, tb = " ".join(pages_text(paper_pdf(a))), " ".join(pages_text(paper_pdf(b)))
    assert ta != tb


def test_each_page_names_its_version_and_its_number():
    paper = make_paper(cards(), seed=9, version="B")
    pages = pages_text(paper_pdf(paper, with_key=True, sources=answer_sources(paper, DECKS)))
    assert len(pages) >= 4
    for i, text in enumerate(pages, 1):
        assert "Version B" in text, i
        assert f"Page {i} of {len(pages)}" in text, i
    key_pages = pages_text(key_pdf(paper, sources=answer_sources(paper, DECKS)))
    for i, text in enumerate(key_pages, 1):
        assert "Version B" in text and f"Page {i} of {len(key_pages)}" in text


def test_no_question_is_split_across_pages():
    paper = make_paper(cards(), seed=3, version="A")
    pages = pages_text(paper_pdf(paper))
    for i, q in enumerate(paper.questions, 1):
        last = flat((list(q.options) + list(getattr(q, "items", ())) or [q.prompt])[-1])
        first_word = flat(q.prompt).split(" ")[0]
        homes = [p for p in pages if f"{i}. {first_word}" in p]
        assert len(homes) >= 1, i
        assert any(last in p for p in homes), (i, q.prompt)


def test_page_count_and_text_stable_for_a_seed_and_sizes():
    p1 = paper_pdf(make_paper(cards(chinese=True), seed=21, n=30, version="A"))
    p2 = paper_pdf(make_paper(cards(chinese=True), seed=21, n=30, version="A"))
    assert pages_text(p1) == pages_text(p2)
    sizes = page_sizes(p1)
    assert all(s == A4 for s in sizes)
    letter = paper_pdf(make_paper(cards(), seed=21, n=30, version="A"), size="letter")
    assert all(s == LETTER for s in page_sizes(letter))
    with pytest.raises(ValueError):
        paper_pdf(make_paper(cards(), seed=21, n=3), size="a3")


def test_answer_room_for_each_kind_and_text_is_data():
    paper = make_paper(cards(chinese=True), seed=1)
    kinds = {question_kind(q) for q in paper.questions}
    assert kinds == {"choice", "truefalse", "typed", "cloze", "order"}
    text = " ".join(pages_text(paper_pdf(paper)))
    assert "Name:" in text and "Class:" in text and "Date:" in text
    assert "Statement [bold] about Zoë and Ångström is true." in text
    assert "Old forces [/]" in text and "新质生产力 means what?" in text and "旧的生产力" in text
    assert "\x1b" not in text and "[31m" not in text
    assert "The ____________ are high technology, high ____________ and high quality." in text
    assert "Number the items 1 to 3 in the boxes" in text
    order = next(q for q in paper.questions if isinstance(q, WrittenQuestion) and q.kind == "order")
    assert sorted(order.order_numbers()) == [1, 2, 3]


def test_fonts_and_their_licences_ship_in_the_package():
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf",
                 "LICENSE-DejaVu.txt", "LICENSE-DroidSansFallback.txt"):
        assert (FONT_DIR / name).is_file(), name
    assert "Apache License" in (FONT_DIR / "LICENSE-DroidSansFallback.txt").read_text()
    assert FONT_DIR.parent.name == "nqpf_tutor"


def write_deck(folder: Path) -> None:
    lines = ["deck: {id: t, title: \"Term test\"}", "sources:",
             "  - {id: s, title: The ABCs of NQPF, publisher: China Daily, date: 2024-03-06}", "cards:"]
    for i in range(30):
        lines += [f"  - {{id: m{i}, type: mcq, prompt: \"Question {i}?\", answer: \"Right {i}\", "
                  f"distractors: [\"Wrong {i}a\", \"Wrong {i}b\"], sources: [s]}}"]
    lines += ["  - {id: c1, type: cloze, text: \"A {{blank}} here\", sources: [s]}"]
    (folder / "t.yaml").write_text("\n".join(lines) + "\n", "utf-8")


def test_export_command_writes_versions_and_keys(tmp_path, capsys):
    decks = tmp_path / "decks"
    decks.mkdir()
    write_deck(decks)
    base = ["--data-dir", str(tmp_path / "data"), "--decks-dir", str(decks), "export", "--format", "pdf",
            "--deck", "t", "-n", "12", "--seed", "4"]
    out = tmp_path / "test.pdf"
    assert main([*base, "--versions", "A,B", "--key", str(tmp_path / "key.pdf"), "--paper", "letter", "-o", str(out)]) == 0
    files = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert files == ["key-A.pdf", "key-B.pdf", "test-A.pdf", "test-B.pdf"]
    a = pages_text((tmp_path / "test-A.pdf").read_bytes())
    b = pages_text((tmp_path / "test-B.pdf").read_bytes())
    assert all("Version A" in p for p in a) and all("Version B" in p for p in b)
    assert "Answer key" not in " ".join(a)
    assert all(s == LETTER for s in page_sizes((tmp_path / "test-A.pdf").read_bytes()))
    key = " ".join(pages_text((tmp_path / "key-A.pdf").read_bytes()))
    assert key.count("Source: The ABCs of NQPF, China Daily, 2024-03-06") == 12
    nums_a = re.findall(r"(\d+)\. Question (\d+)\?", " ".join(a))
    nums_b = re.findall(r"(\d+)\. Question (\d+)\?", " ".join(b))
    assert [n for n, _ in nums_a][:3] == ["1", "2", "3"] and nums_a != nums_b
    # the key at the end without --key; the same seed: the same pages
    single = tmp_path / "one.pdf"
    assert main([*base, "-o", str(single)]) == 0
    one = pages_text(single.read_bytes())
    assert "Answer key" in " ".join(one) and all(s == A4 for s in page_sizes(single.read_bytes()))
    assert main([*base, "-o", str(tmp_path / "two.pdf")]) == 0
    assert pages_text((tmp_path / "two.pdf").read_bytes()) == one


def test_export_pdf_errors_are_one_line(tmp_path, capsys):
    base = ["--data-dir", str(tmp_path / "data"), "export", "--format", "pdf"]
    assert main([*base, "-o", str(tmp_path / "nowhere" / "x.pdf")]) == 1
    assert main([*base, "--versions", "A,,B", "-o", str(tmp_path / "x.pdf")]) == 1
    assert main([*base, "--versions", "A,a", "-o", str(tmp_path / "x.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("nqpf-tutor: ") for line in err)
    assert "does not exist" in err[0] and "named twice" in err[2]
    assert not list(tmp_path.glob("*.pdf"))


async def test_the_apps_paper_is_a_pdf_in_the_settings_page_size(tmp_path):
    from dataclasses import replace

    from nqpf_tutor.core.settings import Settings, SettingsError
    from nqpf_tutor.ui.app import Choice
    from ui_helpers import make_app

    app = make_app(tmp_path, choice=Choice(deck_ids=["sample"], n=5, seed=3))
    app.settings = replace(app.settings, paper_size="letter")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "enter")  # the paper form (issue 13), as filled
        await app.workers.wait_for_complete()
        await pilot.pause()
    folder = app.loc.data_dir / "papers"
    a = (folder / "paper-3-A.pdf").read_bytes()
    assert all(s == LETTER for s in page_sizes(a))
    pages = pages_text(a)
    assert all("Version A" in p for p in pages) and "Answer key" not in " ".join(pages)
    key = " ".join(pages_text((folder / "paper-3-A-key.pdf").read_bytes()))
    assert "Source: A source [0], Test Press, 2024-03-06" in key
    assert Settings.from_dict({"paper_size": "Letter"}).paper_size == "letter"
    with pytest.raises(SettingsError):
        Settings.from_dict({"paper_size": "a3"})


def test_the_markdown_paper_asks_the_same_questions_with_room_to_answer():
    paper = make_paper(cards(), seed=1, version="A")
    md = paper.markdown(with_key=True, sources=answer_sources(paper, DECKS))
    body, key = md.split("## Answer key — version A")
    pos = 0
    for i, q in enumerate(paper.questions, 1):  # the PDF's order: one make_paper for both
        at = body.find(f"**{i}.** ", pos)
        assert at >= pos, i
        pos = at
    assert "**Name:**" not in md and "Class: ____" in md
    assert "The ____________ are high technology, high ____________ and high quality." in body
    assert "Answer: ____" in body and "\\[  \\] Electricity" in body
    assert "circle one letter for each choice" in body
    order = next(q for q in paper.questions if question_kind(q) == "order")
    assert ", ".join(str(n) for n in order.order_numbers()) + " (Steam → Electricity → Information)" in key
    assert key.count("Source: The ABCs of NQPF, China Daily, 2024-03-06") == len(paper.questions)


async def test_the_apps_paper_says_in_one_line_when_it_cannot_write(tmp_path):
    from nqpf_tutor.ui.app import Choice
    from ui_helpers import make_app

    app = make_app(tmp_path, choice=Choice(deck_ids=["sample"], n=3, seed=3))
    (app.loc.data_dir / "papers").write_text("a file where the folder should be", "utf-8")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p", "enter")  # the paper form (issue 13), as filled
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
    assert not getattr(app, "last_paper", None)
    assert any(n.startswith("Could not write the paper:") and "\n" not in n for n in notes), notes


def test_a_character_no_font_has_prints_as_a_box_and_is_named(tmp_path, capsys):
    from nqpf_tutor.core.decks.pdf import MISSING

    odd = [Card("d", "k1", "mcq", "Which word is Korean: 한국 or 𝐀?", "한국", distractors=("𝐀", "Zoë", "新质")),
           Card("d", "k2", "mcq", "Plain question?", "Plain", distractors=("Other", "Third", "Fourth"))]
    paper = make_paper(odd, seed=1, n=2, title="Odd letters")
    missing: set[str] = set()
    text = " ".join(pages_text(paper_pdf(paper, missing=missing)))
    assert missing == {"한", "국", "𝐀"}
    assert "한" not in text and "𝐀" not in text and f"{MISSING}{MISSING}" in text  # seen, not dropped
    assert "Zoë" in text and "新质" in text  # what the shipped fonts have stays as typed
    key_missing: set[str] = set()
    assert f"{MISSING}{MISSING}" in " ".join(pages_text(key_pdf(paper, missing=key_missing)))
    assert key_missing == missing  # the key repeats the prompts and gives the answers
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "odd.yaml").write_text(
        'deck: {id: odd, title: Odd}\ncards:\n  - {id: k1, type: mcq, prompt: "Korean?", answer: "한국", '
        'distractors: ["Zoë", "新质", "Plain"]}\n', "utf-8")
    assert main(["--data-dir", str(tmp_path / "data"), "--decks-dir", str(decks), "export", "--format", "pdf",
                 "--deck", "odd", "-n", "1", "--seed", "1", "-o", str(tmp_path / "odd.pdf")]) == 0
    err = capsys.readouterr().err
    assert f"nqpf-tutor: 2 characters no font of the PDF has print as {MISSING}: 국 한" in err
