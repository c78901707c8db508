"""Class rosters: who is in a class, and the nicknames they answer under.

Students are the same person across drills and live games when their names match, ignoring
case and spacing ("ann  lee" is "Ann Lee"). A roster file per class may also map nicknames to
names. Rosters live in the data dir's ``classes/`` folder, one file per class named after it
(``9B.yaml``, ``9b.csv``; the name is matched ignoring case), or are given with ``--roster``.

YAML::

    class: 9B                  # optional (the file name says it)
    students:
      - Ann Lee                # a student with no nickname
      - name: Bo Chen
        nicknames: [Bobo, B. Chen]

CSV (a header row, then one row per nickname; a row without one just lists the student)::

    name,nickname
    Ann Lee,
    Bo Chen,Bobo
    Bo Chen,B. Chen
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nqpf_tutor.core.text import one_line
from nqpf_tutor.errors import NqpfError

ROSTER_SUFFIXES = (".yaml", ".yml", ".csv")
MAX_ROSTER_BYTES = 1_000_000


class RosterError(NqpfError):
    """A roster file cannot be read: one line naming the file."""


def name_key(name: str) -> str:
    """The key two spellings of one student share: spaces collapsed, case folded."""
    return " ".join(one_line(name).split()).casefold()


@dataclass
class Roster:
    """Students' names, and nicknames (by ``name_key``) mapped to them."""

    names: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def add(self, name: str, nicknames: list[str] = ()) -> None:
        name = one_line(name)
        if not name:
            return
        key = name_key(name)
        if key not in self.aliases:
            self.names.append(name)
            self.aliases[key] = name
        canonical = self.aliases[key]
        for nick in nicknames:
            nick_key = name_key(str(nick))
            if nick_key:
                self.aliases.setdefault(nick_key, canonical)

    def canonical(self, name: str) -> str | None:
        """The roster's name for ``name`` (a nickname or another spelling), or None."""
        return self.aliases.get(name_key(name))


def _from_yaml(text: str, path: Path) -> Roster:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise RosterError(f"{path}{where}: not a readable YAML roster") from None
    if isinstance(data, list):
        data = {"students": data}
    if not isinstance(data, dict) or not isinstance(data.get("students"), (list, dict)):
        raise RosterError(f"{path}: a roster needs a 'students' list (see README: class report)")
    roster = Roster(path=path)
    students = data["students"]
    if isinstance(students, dict):  # Ann Lee: [Annie]
        students = [{"name": k, "nicknames": v or []} for k, v in students.items()]
    for i, entry in enumerate(students, 1):
        if isinstance(entry, (str, int)):
            roster.add(str(entry))
        elif isinstance(entry, dict) and isinstance(entry.get("name"), (str, int)):
            nicks = entry.get("nicknames", entry.get("aliases", [])) or []
            if isinstance(nicks, (str, int)):
                nicks = [nicks]
            if not isinstance(nicks, list):
                raise RosterError(f"{path}: student {i}: nicknames must be a list")
            roster.add(str(entry["name"]), [str(n) for n in nicks])
        else:
            raise RosterError(f"{path}: student {i}: give a name, or name: and nicknames:")
    return roster


def _from_csv(text: str, path: Path) -> Roster:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise RosterError(f"{path}: empty roster")
    header = [h.strip().casefold() for h in rows[0]]
    if "name" not in header:
        raise RosterError(f"{path}: the first row must name the columns: name,nickname")
    ni = header.index("name")
    ki = next((header.index(h) for h in ("nickname", "nicknames", "alias") if h in header), None)
    roster = Roster(path=path)
    for row in rows[1:]:
        if len(row) <= ni or not row[ni].strip():
            continue
        nick = row[ki].strip() if ki is not None and len(row) > ki else ""
        roster.add(row[ni], [n for n in nick.split(";") if n.strip()] if nick else [])
    return roster


def load_roster(path: str | Path) -> Roster:
    """A roster file (YAML, or CSV by its ``.csv`` suffix); ``RosterError`` in one line."""
    p = Path(path).expanduser()
    try:
        if not p.is_file():
            raise RosterError(f"roster {p}: no such file")
        if p.stat().st_size > MAX_ROSTER_BYTES:
            raise RosterError(f"roster {p}: too big for a roster")
        text = p.read_text("utf-8-sig")
    except RosterError:
        raise
    except UnicodeDecodeError:
        raise RosterError(f"roster {p}: not UTF-8 text") from None
    except OSError as e:
        raise RosterError(f"roster {p}: {e.strerror or e}") from None
    return _from_csv(text, p) if p.suffix.lower() == ".csv" else _from_yaml(text, p)


def find_roster(classes_dir: Path, class_name: str) -> Path | None:
    """The roster file of ``class_name`` in ``classes_dir`` (stem matched ignoring case), if any."""
    try:
        files = sorted(p for p in Path(classes_dir).iterdir() if p.suffix.lower() in ROSTER_SUFFIXES)
    except OSError:
        return None
    key = name_key(class_name)
    for p in files:
        if name_key(p.stem) == key:
            return p
    return None


def class_rosters(classes_dir: Path, class_names: list[str]) -> dict[str, Roster]:
    """``name_key(class) -> Roster`` for every class that has a roster file."""
    out: dict[str, Roster] = {}
    for name in class_names:
        path = find_roster(classes_dir, name)
        if path is not None:
            out[name_key(name)] = load_roster(path)
    return out


def roster_from_data(data: Any) -> Roster:
    """A roster from already-parsed YAML data (tests, settings)."""
    import yaml

    return _from_yaml(yaml.safe_dump(data), Path("<roster>"))
