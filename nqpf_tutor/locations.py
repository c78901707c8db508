"""Every path the app uses, in one place.

All come from platformdirs and can be overridden: the data dir by ``--data-dir`` or
``NQPF_TUTOR_DATA_DIR``, extra deck folders by ``--decks-dir`` or ``NQPF_TUTOR_DECKS_DIR``
(``os.pathsep``-separated), the config dir by ``NQPF_TUTOR_CONFIG_DIR`` and the cache dir by
``NQPF_TUTOR_CACHE_DIR``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "nqpf-tutor"
DB_FILENAME = "progress.sqlite3"
SETTINGS_FILENAME = "settings.yaml"


def _platformdirs():
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def bundled_decks_dir() -> Path:
    """The decks shipped with the app.

    In a wheel they are inside the package (``nqpf_tutor/decks``); in a source checkout or an
    editable install they are the repo's top-level ``decks/`` folder.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "decks"
    if packaged.is_dir():
        return packaged
    return here.parent / "decks"


def schema_path() -> Path:
    """The deck JSON Schema file shipped with the package."""
    return Path(__file__).resolve().parent / "deck.schema.json"


@dataclass
class Locations:
    """Resolved paths for one run of the app."""

    data_dir: Path
    config_dir: Path
    cache_dir: Path
    extra_decks_dirs: list[Path] = field(default_factory=list)
    #: The bundled decks; ``NQPF_TUTOR_BUNDLED_DIR`` swaps them (tests pin their own decks), and an
    #: empty value leaves them out.
    bundled_dir: Path | None = field(default_factory=lambda: bundled_decks_dir())

    @classmethod
    def resolve(
        cls,
        data_dir: str | os.PathLike | None = None,
        decks_dirs: list[str] | None = None,
        environ: dict[str, str] | None = None,
    ) -> "Locations":
        env = os.environ if environ is None else environ
        dirs = None

        def pd():
            nonlocal dirs
            if dirs is None:
                dirs = _platformdirs()
            return dirs

        data = data_dir or env.get("NQPF_TUTOR_DATA_DIR") or pd().user_data_dir
        config = env.get("NQPF_TUTOR_CONFIG_DIR")
        cache = env.get("NQPF_TUTOR_CACHE_DIR")
        if data_dir or env.get("NQPF_TUTOR_DATA_DIR"):
            # A chosen data dir keeps everything together (handy for classrooms and tests).
            config = config or os.path.join(data, "config")
            cache = cache or os.path.join(data, "cache")
        config = config or pd().user_config_dir
        cache = cache or pd().user_cache_dir
        extra: list[Path] = []
        env_decks = env.get("NQPF_TUTOR_DECKS_DIR")
        if env_decks:
            extra += [Path(p).expanduser() for p in env_decks.split(os.pathsep) if p]
        extra += [Path(p).expanduser() for p in (decks_dirs or [])]
        bundled: Path | None = bundled_decks_dir()
        if "NQPF_TUTOR_BUNDLED_DIR" in env:
            bundled = Path(env["NQPF_TUTOR_BUNDLED_DIR"]).expanduser() if env["NQPF_TUTOR_BUNDLED_DIR"] else None
        return cls(
            bundled_dir=bundled,
            data_dir=Path(data).expanduser(),
            config_dir=Path(config).expanduser(),
            cache_dir=Path(cache).expanduser(),
            extra_decks_dirs=extra,
        )

    @property
    def user_decks_dir(self) -> Path:
        return self.data_dir / "decks"

    @property
    def classes_dir(self) -> Path:
        """Class rosters (``<class>.yaml`` or ``.csv``): nicknames mapped to students' names."""
        return self.data_dir / "classes"

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def custom_study_path(self) -> Path:
        """Custom study's extra new cards for today, per profile."""
        return self.data_dir / "custom-study.json"

    @property
    def settings_path(self) -> Path:
        return self.config_dir / SETTINGS_FILENAME

    @property
    def deck_cache_dir(self) -> Path:
        return self.cache_dir / "decks-v1"

    def deck_dirs(self) -> list[Path]:
        """Folders searched for decks, in order: bundled, user decks folder, extra folders."""
        return [*([self.bundled_dir] if self.bundled_dir else []), self.user_decks_dir, *self.extra_decks_dirs]
