"""Learner settings: a small YAML file in the user config dir.

Every key is optional; a missing file means all defaults. A bad value is reported as one line
naming the file and the key (``SettingsError``), never a traceback.

Steps are written as a number and a unit: ``30s``, ``1m``, ``10m``, ``1h``, ``1d`` (a bare
number means minutes, as in Anki).
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from nqpf_tutor.core.text import escape
from nqpf_tutor.errors import NqpfError


class SettingsError(NqpfError):
    """A settings file that cannot be read or holds a bad value."""


_STEP_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 60}
#: The longest step (the longest interval FSRS may give).
MAX_STEP_DAYS = 36500
#: A settings file is a few lines; a bigger one is not a settings file.
MAX_SETTINGS_BYTES = 1024 * 1024


def parse_step(value: Any) -> timedelta:
    """``"10m"`` -> 10 minutes. Raises ValueError with a short reason."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        value = str(value)
    m = _STEP_RE.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"not a duration like 30s, 10m, 1h or 1d: {value!r}")
    seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
    if seconds < 1:
        raise ValueError(f"a step must be at least 1 second: {value!r}")
    if seconds > MAX_STEP_DAYS * 86400:  # (also: timedelta would overflow)
        raise ValueError(f"a step must be at most {MAX_STEP_DAYS} days: {value!r}")
    return timedelta(seconds=round(seconds))


def format_step(step: timedelta) -> str:
    """10 minutes -> ``"10m"``: the largest unit that divides the step exactly."""
    seconds = int(step.total_seconds())
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class Settings:
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500  # days
    day_rollover_hour: int = 4  # local hour at which a new study day starts
    new_per_day: int = 20
    reviews_per_day: int = 200
    leech_threshold: int = 8  # lapses; 0 = never
    learn_ahead_minutes: int = 20  # when nothing else is due, learning cards due this soon are shown
    timezone: str | None = None  # IANA name; None = the system's local time
    theme: str = "textual-dark"
    paper_size: str = "a4"  # the app's PDF paper tests: a4 or letter
    #: Per deck id: that deck's own daily limit of new cards. A deck listed here does not use
    #: (nor use up) ``new_per_day``, which the decks not listed share.
    deck_new_per_day: dict = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["learning_steps"] = [format_step(s) for s in self.learning_steps]
        d["relearning_steps"] = [format_step(s) for s in self.relearning_steps]
        return d

    @classmethod
    def from_dict(cls, data: Any, source: str = "settings") -> "Settings":
        """Validate ``data`` (as read from YAML). Errors read ``source: key: problem``."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise SettingsError(escape(f"{source}: expected a mapping of key: value, got {type(data).__name__}"))
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise SettingsError(escape(f"{source}: unknown key {key!r} (known: {', '.join(sorted(known))})"))
            try:
                values[key] = _CHECKS[key](value)
            except (ValueError, OverflowError, TypeError) as e:
                raise SettingsError(escape(f"{source}: {key}: {e}")) from None
            except RecursionError:
                raise SettingsError(escape(f"{source}: {key}: nested too deeply")) from None
        return cls(**values)


def _int_in(lo: int, hi: int):
    def check(v: Any) -> int:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}, got {v!r}")
        return v

    return check


def _retention(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.7 <= v <= 0.99:
        raise ValueError(f"must be a number from 0.7 to 0.99, got {v!r}")
    return float(v)


def _steps(v: Any) -> tuple[timedelta, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise ValueError(f"must be a list of durations like [1m, 10m], got {v!r}")
    return tuple(parse_step(s) for s in v)


def _timezone(v: Any) -> str | None:
    if v is None or v == "":
        return None
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(str(v))
    except (ValueError, OSError, LookupError):
        raise ValueError(f"unknown time zone {v!r} (use an IANA name like Europe/Berlin, or leave it empty)") from None
    return str(v)


def _text(v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"must be a non-empty text, got {v!r}")
    return v


def _paper_size(v: Any) -> str:
    if not isinstance(v, str) or v.strip().lower() not in ("a4", "letter"):
        raise ValueError(f"must be a4 or letter, got {v!r}")
    return v.strip().lower()
def _deck_limits(v: Any) -> dict[str, int]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise ValueError(f"must be a mapping of deck id: new cards a day (eras: 10), got {v!r}")
    check = _int_in(0, 100000)
    out: dict[str, int] = {}
    for deck, n in v.items():
        if not isinstance(deck, str) or not deck.strip():
            raise ValueError(f"a deck id must be a text, got {deck!r}")
        try:
            out[deck] = check(n)
        except ValueError as e:
            raise ValueError(f"{deck}: {e}") from None
    return out


_CHECKS = {
    "desired_retention": _retention,
    "learning_steps": _steps,
    "relearning_steps": _steps,
    "maximum_interval": _int_in(1, 36500),
    "day_rollover_hour": _int_in(0, 23),
    "new_per_day": _int_in(0, 100000),
    "reviews_per_day": _int_in(0, 100000),
    "leech_threshold": _int_in(0, 1000),
    "learn_ahead_minutes": _int_in(0, 1440),
    "timezone": _timezone,
    "theme": _text,
    "paper_size": _paper_size,
    "deck_new_per_day": _deck_limits,
}

#: What each setting does, for the settings screen and the README (key: (label, explanation)).
SETTING_HELP: dict[str, tuple[str, str]] = {
    "new_per_day": ("New cards a day", "new cards introduced a day, shared by the decks without a limit of their own"),
    "deck_new_per_day": ("New cards a day, per deck", "a deck's own limit (empty: it shares the one above)"),
    "reviews_per_day": ("Reviews a day", "answers to review cards a day, over all decks (0-100000)"),
    "desired_retention": ("Desired retention", "the chance of recall FSRS aims for, 0.7 to 0.99: higher means "
                          "more reviews"),
    "learning_steps": ("Learning steps", "waits between the first answers of a new card, e.g. 1m, 10m "
                       "(s, m, h, d; empty: straight to review)"),
    "relearning_steps": ("Relearning steps", "waits after a review card is forgotten (Again), e.g. 10m"),
    "day_rollover_hour": ("New day starts at", "local hour (0-23) when a new study day begins (4: at 4 AM)"),
    "maximum_interval": ("Maximum interval", "the longest wait between reviews, in days (1-36500)"),
    "leech_threshold": ("Leech after lapses", "forgetting a card this often suspends it as a leech (0: never)"),
    "learn_ahead_minutes": ("Learn ahead", "minutes: when nothing else is due, learning cards due this soon "
                            "are shown (0-1440)"),
    "timezone": ("Time zone", "an IANA name like Europe/Berlin for the study day; empty: the computer's"),
    "paper_size": ("Paper size", "page size of the app's PDF paper tests: a4 or letter"),
}



def load_settings(path: str | os.PathLike) -> Settings:
    """The settings in ``path``; all defaults when the file does not exist."""
    from nqpf_tutor.files import InputError, read_regular

    path = Path(path)
    if not os.path.lexists(path):
        return Settings()
    try:  # only a regular file: a FIFO does not hang, /dev/zero is not read
        text = read_regular(path, limit=MAX_SETTINGS_BYTES, what="settings file").decode("utf-8")
    except InputError as e:
        raise SettingsError(str(e)) from None
    except UnicodeDecodeError:
        raise SettingsError(escape(f"{path}: cannot read: not UTF-8 text")) from None
    import yaml  # only when there is a settings file (start-up is faster without)

    class _SettingsLoader(yaml.SafeLoader):
        """A number too long for Python (thousands of digits) is an error at its position."""

        def construct_yaml_int(self, node):
            try:
                return super().construct_yaml_int(node)
            except ValueError:
                digits = sum(c.isdigit() for c in str(node.value))
                raise yaml.constructor.ConstructorError(
                    None, None, f"a number with {digits} digits is too long; not a setting", node.start_mark) from None

    _SettingsLoader.add_constructor("tag:yaml.org,2002:int", _SettingsLoader.construct_yaml_int)
    try:
        data = yaml.load(text, Loader=_SettingsLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or "not valid YAML"
        raise SettingsError(escape(f"{path}{where}: {problem}")) from None
    except RecursionError:
        raise SettingsError(escape(f"{path}: nested too deeply (lists or mappings thousands of levels deep); "
                                   "not a settings file")) from None
    except (ValueError, OverflowError) as e:  # a number with thousands of digits
        raise SettingsError(escape(f"{path}: a number too long to read (thousands of digits); not a setting")) from None
    return Settings.from_dict(data, source=str(path))


def save_settings(settings: Settings, path: str | os.PathLike) -> None:
    """Write ``settings`` to ``path`` atomically (a crash leaves the old file or the new one)."""
    import yaml

    path = Path(path)
    text = "# nqpf-tutor settings (see README: Spaced repetition and progress)\n" + yaml.safe_dump(
        settings.to_dict(), sort_keys=False, allow_unicode=True
    )
    from nqpf_tutor.files import OutputError, write_output

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_output(path, text, force=True)  # the app's own file (a symlinked one stays a link)
    except OSError as e:
        raise SettingsError(escape(f"{path}: cannot write: {e.strerror or e}")) from None
    except OutputError as e:
        raise SettingsError(str(e)) from None


__all__ = ["SETTING_HELP", "Settings", "SettingsError", "load_settings", "save_settings", "parse_step", "format_step"]
