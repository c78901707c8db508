from dataclasses import replace
from datetime import timedelta

import pytest

from nqpf_tutor.core.settings import Settings, SettingsError, format_step, load_settings, parse_step, save_settings


def test_missing_file_gives_defaults(tmp_path):
    s = load_settings(tmp_path / "nope.yaml")
    assert s == Settings()
    assert s.desired_retention == 0.9
    assert s.learning_steps == (timedelta(minutes=1), timedelta(minutes=10))
    assert s.relearning_steps == (timedelta(minutes=10),)
    assert s.maximum_interval == 36500
    assert (s.day_rollover_hour, s.new_per_day, s.reviews_per_day, s.leech_threshold) == (4, 20, 200, 8)
    assert s.theme == "textual-dark"


def test_empty_file_gives_defaults(tmp_path):
    p = tmp_path / "settings.yaml"
    p.write_text("# nothing yet\n")
    assert load_settings(p) == Settings()


def test_values_are_read(tmp_path):
    p = tmp_path / "settings.yaml"
    p.write_text(
        "desired_retention: 0.85\nlearning_steps: [30s, 5m, 1h]\nrelearning_steps: []\n"
        "maximum_interval: 365\nday_rollover_hour: 0\nnew_per_day: 5\nreviews_per_day: 50\n"
        "leech_threshold: 4\ntimezone: Europe/Berlin\ntheme: nord\n"
    )
    s = load_settings(p)
    assert s.desired_retention == 0.85
    assert s.learning_steps == (timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=1))
    assert s.relearning_steps == ()
    assert (s.maximum_interval, s.day_rollover_hour, s.new_per_day, s.reviews_per_day) == (365, 0, 5, 50)
    assert s.leech_threshold == 4 and s.timezone == "Europe/Berlin" and s.theme == "nord"


def test_round_trip(tmp_path):
    p = tmp_path / "sub" / "settings.yaml"
    s = replace(Settings(), theme="gruvbox", learning_steps=(timedelta(seconds=90), timedelta(days=1)))
    save_settings(s, p)
    assert load_settings(p) == s
    assert "learning_steps:\n- 90s\n- 1d\n" in p.read_text()


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("desired_retention: 1.5\n", "desired_retention: must be a number from 0.7 to 0.99, got 1.5"),
        ("desired_retention: yes\n", "desired_retention: must be a number"),
        ("learning_steps: [1m, soon]\n", "learning_steps: not a duration like 30s, 10m, 1h or 1d: 'soon'"),
        ("learning_steps: 10m\n", "learning_steps: must be a list"),
        ("relearning_steps: [0s]\n", "relearning_steps: a step must be at least 1 second"),
        ("maximum_interval: 0\n", "maximum_interval: must be a whole number from 1 to 36500, got 0"),
        ("day_rollover_hour: 24\n", "day_rollover_hour: must be a whole number from 0 to 23, got 24"),
        ("new_per_day: -1\n", "new_per_day: must be a whole number"),
        ("reviews_per_day: 2.5\n", "reviews_per_day: must be a whole number"),
        ("timezone: Mars/Olympus\n", "timezone: unknown time zone 'Mars/Olympus'"),
        ("desired_retension: 0.9\n", "unknown key 'desired_retension'"),
        ("- a\n- b\n", "expected a mapping"),
        ("theme: ''\n", "theme: must be a non-empty text"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path, text, fragment):
    p = tmp_path / "settings.yaml"
    p.write_text(text)
    with pytest.raises(SettingsError) as e:
        load_settings(p)
    msg = str(e.value)
    assert msg.startswith(str(p) + ": ")
    assert fragment in msg
    assert "\n" not in msg


def test_bad_yaml_names_line(tmp_path):
    p = tmp_path / "settings.yaml"
    p.write_text("new_per_day: 3\nlearning_steps: [1m, 10m\n")
    with pytest.raises(SettingsError) as e:
        load_settings(p)
    assert str(e.value).startswith(f"{p}:3:")


def test_unwritable_settings_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SettingsError) as e:
        save_settings(Settings(), blocker / "settings.yaml")
    assert "cannot write" in str(e.value)


@pytest.mark.parametrize("text, seconds", [("30s", 30), ("10m", 600), ("1h", 3600), ("2d", 172800), (5, 300), ("1.5m", 90)])
def test_parse_step(text, seconds):
    assert parse_step(text) == timedelta(seconds=seconds)


def test_format_step():
    assert [format_step(timedelta(seconds=s)) for s in (30, 60, 90, 3600, 86400)] == ["30s", "1m", "90s", "1h", "1d"]
