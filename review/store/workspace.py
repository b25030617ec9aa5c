"""A workspace: a folder with corpus/, codebook/, exports/ and (by default) review.db.

The repository root is itself the sample workspace; `init` makes the same shape elsewhere
and never overwrites a file that is already there.

A workspace whose database is elsewhere (a team's PostgreSQL server) remembers it: `review
init DIR --db URL` writes the URL to `DIR/.review/config.toml`, a file of this machine only
(`.review/` is git-ignored: each coder's URL names their own role), so every later command in
that folder uses the server without `--db`. Precedence: `--db`, then `REVIEW_DATABASE_URL`,
then the workspace's config, then `DIR/review.db`.
"""

from __future__ import annotations

import getpass
import os
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

from review.errors import ReviewError, UsageError
from review.store.db import open_engine, sqlite_url

DB_NAME = "review.db"
CONFIG = Path(".review") / "config.toml"
FOLDERS = ("corpus", "codebook", "exports")
DEFAULT_CODEBOOK = "co-production.toml"


def server_role(url: str) -> str | None:
    """On a database server, the role a coder logs in as is who they are (unless --coder or
    REVIEW_CODER says otherwise): codings made as `ann@server` are ann's."""
    if os.environ.get("REVIEW_CODER") or url.startswith("sqlite"):
        return None
    try:
        return make_url(url).username or None
    except ArgumentError:
        return None


def default_coder() -> str:
    try:
        return os.environ.get("REVIEW_CODER") or getpass.getuser()
    except Exception:  # no login name in some containers
        return "coder"


@dataclass
class Workspace:
    root: Path
    db_url: str
    coder: str = field(default_factory=default_coder)
    _engine: Engine | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls, root: str | Path | None = None, db: str | None = None, coder: str | None = None
    ) -> Workspace:
        """Resolve options, then environment, then defaults (see the CLI contract)."""
        path = Path(root or os.environ.get("REVIEW_WORKSPACE") or ".").expanduser().resolve()
        if not path.is_dir():
            raise UsageError(f"workspace {path} is not a folder (run `review init {path}`)")
        url = db or os.environ.get("REVIEW_DATABASE_URL") or configured_database(path)
        if not url and not any((path / name).exists() for name in (DB_NAME, *FOLDERS[:2])):
            # (a command run in the wrong folder used to leave a new review.db behind there)
            raise UsageError(
                f"{path} is not a workspace (no {DB_NAME}, corpus/ or codebook/): "
                f"run `review init {path}`, or give -w DIR"
            )
        url = url or sqlite_url(path / DB_NAME)
        return cls(root=path, db_url=url, coder=coder or server_role(url) or default_coder())

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def codebook_dir(self) -> Path:
        return self.root / "codebook"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def codebook_path(self) -> Path:
        """The workspace's codebook: `codebook/co-production.toml`, else the first .toml."""
        preferred = self.codebook_dir / DEFAULT_CODEBOOK
        if preferred.exists():
            return preferred
        found = sorted(self.codebook_dir.glob("*.toml"))
        return found[0] if found else preferred

    @property
    def engine(self) -> Engine:
        """The database engine, opened (and upgraded) on first use."""
        if self._engine is None:
            self._engine = open_database(self.db_url)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def shown_url(url: str) -> str:
    """A database URL as it may be shown or logged: its password hidden ('<url>' if it is
    not a URL at all)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<url>"


def open_database(url: str) -> Engine:
    """The engine for a `--db`/`REVIEW_DATABASE_URL` URL, with a one-line error (URL shown
    without its password) when it is not a URL, names a missing driver or cannot be opened."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise UsageError(f"database URL {url!r} is not an SQLAlchemy URL") from None
    from review.store.backup import refuse_unusable_file

    refuse_unusable_file(url)
    try:
        return open_engine(url)
    except NoSuchModuleError:
        raise UsageError(f"database URL {shown}: unknown database kind") from None
    except ArgumentError as exc:  # e.g. `sqlite://host/x.db`: the dialect's own message
        reason = str(exc).splitlines()[0].replace(url, shown)
        raise UsageError(f"database URL {shown}: {reason}") from None
    except ModuleNotFoundError as exc:
        raise UsageError(
            f"database URL {shown}: its driver {exc.name!r} is not installed"
        ) from None
    except DatabaseError as exc:  # cannot be opened, or not a database (a damaged file)
        from review.store.backup import open_read_only

        engine = open_read_only(url)  # a read-only file or folder: reading still works
        if engine is not None:
            return engine
        reason = " ".join(str(exc.orig or exc).split())
        if getattr(exc.orig, "sqlstate", None) == "42501":  # PostgreSQL: insufficient privilege
            reason += (
                f"; the tables belong to another role, so {server_role(url) or 'this role'} may"
                " not use them: on the server, make a role every coder is a member of own"
                " them (README, Team mode: REASSIGN OWNED BY … TO review_team)"
            )
        raise ReviewError(f"cannot open the database {shown}: {reason}") from None


def configured_database(root: Path) -> str | None:
    """The database URL the workspace's `.review/config.toml` names, if any."""
    path = root / CONFIG
    if not path.is_file():
        return None
    import tomllib

    try:
        value = tomllib.loads(path.read_text("utf-8")).get("database")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it ({exc})") from None
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{path}: `database` must be a URL in quotes")
    return value or None


def remember_database(root: Path, url: str) -> Path:
    """Write `url` as the workspace's database (`.review/config.toml`, kept for this machine)."""
    import tomli_w

    path = root / CONFIG
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# This workspace's database (written by `review init --db`; this machine only).\n"
        + tomli_w.dumps({"database": url}),
        "utf-8",
    )
    return path


def default_codebook_text() -> str:
    return resources.files("review.data").joinpath(DEFAULT_CODEBOOK).read_text("utf-8")


def init(directory: str | Path, db: str | None = None) -> tuple[Workspace, list[str]]:
    """Make (or complete) a workspace; return it and the paths created. Never clobbers."""
    root = Path(directory).expanduser()
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    created: list[str] = []
    if not root.exists():
        root.mkdir(parents=True)
        created.append(str(root))
    for name in FOLDERS:
        folder = root / name
        if not folder.exists():
            folder.mkdir()
            created.append(str(folder))
    book = root / "codebook" / DEFAULT_CODEBOOK
    if not book.exists() and not any((root / "codebook").glob("*.toml")):
        with resources.as_file(resources.files("review.data").joinpath(DEFAULT_CODEBOOK)) as src:
            shutil.copyfile(src, book)
        created.append(str(book))
    from review.store.settings import write_project_template

    project = write_project_template(root)
    if project is not None:
        created.append(str(project))
    readme = root / "exports" / "README.md"
    if not readme.exists():
        readme.write_text(
            "Everything `review brief` and `review export` write lands here.\n", "utf-8"
        )
        created.append(str(readme))
    ws = Workspace.open(root, db=db)
    existed = (root / DB_NAME).exists()
    _ = ws.engine  # creates or upgrades the database
    if ws.db_url == sqlite_url(root / DB_NAME) and not existed:
        created.append(str(root / DB_NAME))
    if db and db != sqlite_url(root / DB_NAME) and configured_database(root) != db:
        created.append(str(remember_database(root, db)))
    return ws, created
