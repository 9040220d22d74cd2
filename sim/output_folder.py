"""An output folder shared with the user: orgsim owns exactly the files and subfolders it wrote.

What orgsim wrote is listed in a manifest inside the folder (`.orgsim-manifest.json`). A new
save replaces exactly those paths and leaves everything else alone:

- `plan(paths)` refuses, before any work, a folder where a path orgsim would write is taken by
  something orgsim did not write (a user's `summary.json`, a `records/` folder of their own),
  or that cannot be made or written;
- `write({path: content})` plans, then writes each file beside its target and moves it into
  place with `os.replace` (atomic per file), removes what the previous manifest listed and this
  save did not write, and writes the manifest last.

Every output (results, records, comparisons, sweeps) goes through here, so one manifest says
what is orgsim's. A folder from before manifests (marked `.orgsim-result`) owns, by name, the
files orgsim writes into it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".orgsim-manifest.json"
LEGACY_MARKER = ".orgsim-result"  # earlier orgsim versions marked a whole folder as theirs
MANIFEST_FORMAT = 1

# What a file is made from: its bytes, its text (UTF-8), or a function that writes it to the
# path it is given (a temporary path beside the target with the target's suffix).
Content = bytes | str | Callable[[Path], object]


class OutputError(Exception):
    """An output folder orgsim must not write to; the message names the path and why."""


@dataclass(frozen=True)
class Ownership:
    """What a folder's manifest says orgsim wrote there (relative POSIX paths)."""

    files: frozenset[str]
    folders: frozenset[str]
    legacy: bool = False  # a `.orgsim-result` folder: owns by name whatever orgsim writes


class OutputFolder:
    """A folder orgsim writes outputs into without touching the user's own files."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # --- reading what orgsim owns ----------------------------------------------------------

    def ownership(self) -> Ownership:
        """The files and folders orgsim wrote here, from the manifest (empty if none)."""
        manifest = self.path / MANIFEST
        if os.path.lexists(manifest):
            return _read_manifest(manifest)
        if (self.path / LEGACY_MARKER).is_file():
            return Ownership(frozenset({LEGACY_MARKER}), frozenset(), legacy=True)
        return Ownership(frozenset(), frozenset())

    # --- planning --------------------------------------------------------------------------

    def plan(self, paths: Iterable[str]) -> Ownership:
        """Refuse (OutputError) a folder where writing `paths` would clobber what is not orgsim's.

        Writes nothing; returns what orgsim owns there now. Paths are relative, with `/`
        between folders (`records/orders.parquet`).
        """
        wanted = [_relative(p) for p in paths]
        self._check_folder_itself()
        if not self.path.exists():
            return Ownership(frozenset(), frozenset())
        owned = self.ownership()
        files = owned.files | set(wanted) if owned.legacy else owned.files
        for relative in wanted:
            for folder in _parents(relative):
                self._check_free(folder, owned.folders, as_folder=True)
            self._check_free(relative, files, as_folder=False)
        return owned

    def _check_folder_itself(self) -> None:
        target = self.path
        if os.path.lexists(target) and not target.is_dir():
            raise OutputError(f"{target} is a file, not a folder; choose another --out folder")
        existing = next(p for p in [target, *target.parents] if os.path.lexists(p))
        if not existing.is_dir():
            raise OutputError(f"{existing} is a file, so {target} cannot be made")
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write results in {existing}: permission denied"
                              if existing == target else
                              f"cannot make {target}: {existing} is not writable")

    def _check_free(self, relative: str, owned: Iterable[str], as_folder: bool) -> None:
        """A path orgsim will write must be absent, or orgsim's own and of the right kind."""
        path = self.path / relative
        if not os.path.lexists(path):
            return
        is_folder = path.is_dir() and not path.is_symlink()
        shown = f"{path}/" if is_folder else str(path)
        if as_folder and not is_folder:
            raise OutputError(f"{shown} is not a folder, but orgsim writes files into it; "
                              "move it away or choose another --out folder")
        if not as_folder and is_folder:
            raise OutputError(f"{shown} is a folder where orgsim writes a file; "
                              "move it away or choose another --out folder")
        if relative not in owned:
            raise OutputError(
                f"{shown} was not written by orgsim (it is not in {MANIFEST}), and orgsim "
                f"{'writes files into' if as_folder else 'would overwrite'} it; "
                "move it away or choose another --out folder")

    # --- writing ---------------------------------------------------------------------------

    def write(self, outputs: Mapping[str, Content]) -> Path:
        """Write `outputs` ({relative path: content}) and return the folder.

        Refuses (OutputError) before writing anything if `plan` does. The previous manifest's
        files that are not written again are removed, and its folders too once empty.
        """
        outputs = {_relative(p): content for p, content in outputs.items()}
        before = self.plan(outputs)
        folders = sorted({f for p in outputs for f in _parents(p)})
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            # Claim the new paths first, so an interrupted save leaves files the next save
            # knows as orgsim's; every path listed here was checked to be free or orgsim's.
            self._write_manifest(before.files | set(outputs), before.folders | set(folders))
            for folder in folders:
                (self.path / folder).mkdir(exist_ok=True)
            for relative, content in outputs.items():
                _write_atomically(self.path / relative, content)
            self._remove_stale(before, set(outputs), set(folders))
            self._write_manifest(set(outputs), set(folders))
        except OSError as error:
            raise OutputError(f"cannot write results in {self.path}: "
                              f"{error.strerror or error}") from None
        return self.path

    def add(self, outputs: Mapping[str, Content]) -> Path:
        """Write `outputs` beside what orgsim already wrote here, removing nothing (a sweep
        writes each point as it finishes). Refuses like `write`."""
        outputs = {_relative(p): content for p, content in outputs.items()}
        before = self.plan(outputs)
        folders = {f for p in outputs for f in _parents(p)}
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._write_manifest(before.files | set(outputs), before.folders | folders)
            for folder in sorted(folders):
                (self.path / folder).mkdir(exist_ok=True)
            for relative, content in outputs.items():
                _write_atomically(self.path / relative, content)
        except OSError as error:
            raise OutputError(f"cannot write results in {self.path}: "
                              f"{error.strerror or error}") from None
        return self.path

    def _remove_stale(self, before: Ownership, files: set[str], folders: set[str]) -> None:
        for relative in sorted(before.files - files):
            path = self.path / relative
            if os.path.lexists(path) and (path.is_symlink() or not path.is_dir()):
                path.unlink()
        # deepest first; a folder holding a user's file stays (and is no longer orgsim's)
        for relative in sorted(before.folders - folders, key=lambda f: -f.count("/")):
            path = self.path / relative
            if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
                path.rmdir()

    def _write_manifest(self, files: set[str], folders: set[str]) -> None:
        from sim import __version__

        document = {"format": MANIFEST_FORMAT, "tool": "orgsim", "version": __version__,
                    "files": sorted(files), "folders": sorted(folders)}
        _write_atomically(self.path / MANIFEST, json.dumps(document, indent=2) + "\n")


def _write_atomically(target: Path, content: Content) -> None:
    """Write beside the target under a hidden name with the same suffix, then os.replace."""
    temporary = target.with_name(
        f".{target.stem}.orgsim-tmp-{secrets.token_hex(4)}{target.suffix}")
    try:
        if callable(content):
            content(temporary)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            with open(temporary, "xb") as handle:
                handle.write(data)
        os.replace(temporary, target)
    finally:
        if os.path.lexists(temporary):
            temporary.unlink()


def _read_manifest(manifest: Path) -> Ownership:
    problem = f"{manifest} is not an orgsim manifest; move it away or choose another --out folder"
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise OutputError(problem) from None
    if (not isinstance(document, dict) or document.get("tool") != "orgsim"
            or type(document.get("format")) is not int
            or not all(isinstance(document.get(key), list) for key in ("files", "folders"))):
        raise OutputError(problem)
    if document["format"] > MANIFEST_FORMAT:
        raise OutputError(f"{manifest} was written by a newer orgsim (manifest format "
                          f"{document['format']}); upgrade orgsim or choose another "
                          "--out folder")
    try:
        files = frozenset(_relative(p) for p in document["files"])
        folders = frozenset(_relative(p) for p in document["folders"])
    except ValueError:
        raise OutputError(problem) from None
    return Ownership(files, folders)


def _relative(path: str) -> str:
    """A normalised relative POSIX path inside the folder, or ValueError."""
    if not isinstance(path, str):
        raise ValueError(f"an output path must be a string, got {path!r}")
    parts = PurePosixPath(path).parts
    if (not parts or PurePosixPath(path).is_absolute() or "\\" in path
            or any(part in ("..", ".") for part in parts)
            or parts[0] == MANIFEST):
        raise ValueError(f"not a path orgsim may write inside its output folder: {path!r}")
    return "/".join(parts)


def _parents(relative: str) -> list[str]:
    """The folders above a relative path, outermost first: 'a/b/c' -> ['a', 'a/b']."""
    parts = relative.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
