"""Where disk images may come from: regular files under the operator's import roots, nothing else.

A MachineImage, VolumeImage or Volume import names its source as ``file:///absolute/path``.
``ImportPolicy.check`` is the static rule the API edge and every backend apply (the form of the
URI, an import root above it, none of the provider's own files). ``ImportPolicy.open`` is what a
backend that reads the file does next: resolve every symlink and check containment again, open
each component below the root with ``O_NOFOLLOW`` (nothing can be swapped in between), refuse
anything but a regular file before and after opening it, refuse the provider's files and storage
pool volumes by identity too (hard links), and hand back the descriptor: the copy reads through
it, never through the path again.

Every refusal that depends on the file system gives the same message, so no answer tells whether
a path exists.
"""
from __future__ import annotations

import os
import stat
from urllib.parse import unquote_to_bytes, urlsplit

REFUSED = "image location is not an importable file under an import root"
DISABLED = ("file imports are disabled: the operator configured no import root "
            "(cimi-provider serve --import-root DIR)")
SYNTAX = "image location must be a file:///absolute/path URI (no host, query, '.' or '..')"
ENV_ROOTS = "CIMI_PROVIDER_IMPORT_ROOTS"
ENV_EXPORT_ROOTS = "CIMI_PROVIDER_EXPORT_ROOTS"

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: even a FIFO swapped in after the lstat check cannot block the open.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class ImportRefused(ValueError):
    """The location cannot be imported (the message is safe to show to the consumer)."""


def roots_from(flags, env=None, env_name=ENV_ROOTS, flag="--import-root") -> list:
    """The import roots from ``--import-root`` flags, else from ``CIMI_PROVIDER_IMPORT_ROOTS``
    (the export roots: ``--export-root``, ``CIMI_PROVIDER_EXPORT_ROOTS``)."""
    env = os.environ if env is None else env
    given = list(flags or []) or [r for r in env.get(env_name, "").split(os.pathsep) if r]
    roots = []
    for root in given:
        path = os.path.abspath(root)
        if os.path.realpath(path) == "/":
            raise ValueError(f"{flag} / would open every host file to the API; "
                             "name a directory")
        roots.append(path)
    return roots


def within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


class ImportSource:
    """An opened, checked regular file: read it only with ``read_at``."""

    def __init__(self, fd: int, size: int, location: str):
        self.fd, self.size, self.location = fd, size, location

    def read_at(self, offset: int, length: int) -> bytes:
        return os.pread(self.fd, length, offset)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "ImportSource":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


class ImportPolicy:
    """The operator's import roots and the files no import may ever read.

    ``protected``: files and directories of the provider (database, TLS key, users, tokens,
    audit, pool); ``schemes``: location schemes of a simulated backend, accepted as they are
    (the memory backend's ``memory://``), since nothing is read from them.
    """

    refused, disabled = REFUSED, DISABLED

    def __init__(self, roots=(), protected=(), schemes=()):
        self.roots = [(os.path.abspath(r), os.path.realpath(r)) for r in roots]
        self.protected = sorted({form for p in protected if p
                                 for form in (os.path.abspath(p), os.path.realpath(p))})
        self.schemes = tuple(schemes)

    def check(self, location) -> str | None:
        """The local path of a ``file://`` location that may be importable, or None for a
        simulated scheme; raises ImportRefused for a location that can never be imported."""
        if not isinstance(location, str) or "\0" in location:
            raise ImportRefused(SYNTAX)
        parts = urlsplit(location)
        if parts.scheme in self.schemes and parts.scheme:
            return None
        if (parts.scheme != "file" or parts.netloc or parts.query or parts.fragment
                or "?" in location or "#" in location):
            raise ImportRefused(SYNTAX)
        try:
            path = unquote_to_bytes(parts.path).decode("utf-8")  # decoded once, then checked
        except UnicodeDecodeError:
            raise ImportRefused(SYNTAX) from None
        if "\0" in path or not path.startswith("/") or any(
                part in ("", ".", "..") for part in path.split("/")[1:]):
            raise ImportRefused(SYNTAX)
        if not self.roots:
            raise ImportRefused(self.disabled)
        if not any(within(path, root) for pair in self.roots for root in pair) \
                or self._protected(path, ()):
            raise ImportRefused(self.refused)
        return path

    def _protected(self, path: str, extra_dirs) -> bool:
        return any(within(path, p)
                   for p in self.protected + [os.path.realpath(d) for d in extra_dirs])

    def _identities(self, extra_dirs) -> set:
        """(device, inode) of every protected file and of the files in the protected directories,
        so a hard link to one of them inside an import root is refused too."""
        seen = set()
        for path in self.protected + list(extra_dirs):
            try:
                info = os.stat(path)
                seen.add((info.st_dev, info.st_ino))
                if stat.S_ISDIR(info.st_mode):
                    with os.scandir(path) as entries:
                        for entry in entries:
                            if entry.is_file(follow_symlinks=False):
                                inner = entry.stat(follow_symlinks=False)
                                seen.add((inner.st_dev, inner.st_ino))
            except OSError:
                continue
        return seen

    def open(self, location, protected_dirs=()) -> ImportSource:
        """Open the file a location names, checked; ``protected_dirs``: storage pool paths."""
        path = self.check(location)
        if path is None:
            raise ImportRefused(REFUSED)  # a simulated location has no file to read
        real = os.path.realpath(path)
        root = next((r for _, r in self.roots if within(real, r) and real != r), None)
        if root is None or self._protected(real, protected_dirs):
            raise ImportRefused(REFUSED)
        fd = self._open_below(root, os.path.relpath(real, root).split(os.sep))
        try:
            info = os.fstat(fd)
            if (not stat.S_ISREG(info.st_mode)
                    or (info.st_dev, info.st_ino) in self._identities(protected_dirs)):
                raise ImportRefused(REFUSED)
        except BaseException:
            os.close(fd)
            raise
        return ImportSource(fd, info.st_size, location)

    @staticmethod
    def _dir_below(root: str, parts: list, refused: str = REFUSED) -> int:
        """The directory ``root/parts...``, each component opened with O_NOFOLLOW."""
        try:
            dir_fd = os.open(root, _DIR_FLAGS & ~os.O_NOFOLLOW)  # the operator's root itself
        except OSError:
            raise ImportRefused(refused) from None
        try:
            for part in parts:
                inner = os.open(part, _DIR_FLAGS, dir_fd=dir_fd)
                os.close(dir_fd)
                dir_fd = inner
        except OSError:
            os.close(dir_fd)
            raise ImportRefused(refused) from None
        return dir_fd

    @classmethod
    def _open_below(cls, root: str, parts: list) -> int:
        dir_fd = cls._dir_below(root, parts[:-1])
        try:
            # A FIFO or device is never even opened (opening can block or have side effects).
            if not stat.S_ISREG(os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False).st_mode):
                raise ImportRefused(REFUSED)
            return os.open(parts[-1], _FILE_FLAGS, dir_fd=dir_fd)
        except OSError:
            raise ImportRefused(REFUSED) from None
        finally:
            os.close(dir_fd)


# -- exports ----------------------------------------------------------------------------------
EXPORT_REFUSED = "export destination is not a new file under an export root"
EXPORT_DISABLED = ("exports are disabled: the operator configured no export root "
                   "(cimi-provider serve --export-root DIR)")
EXPORT_EXISTS = "export destination already exists; an export never overwrites a file"
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC


class ExportExists(ImportRefused):
    """The destination exists (a conflict, not a malformed request)."""


class ExportTarget:
    """A file this export created (O_EXCL, below the root without following a symlink)."""

    def __init__(self, fd: int, dir_fd: int, name: str, location: str):
        self.fd, self.dir_fd, self.name, self.location = fd, dir_fd, name, location

    def discard(self) -> None:
        """Remove the file again, if the name still holds the file this export created."""
        try:
            mine, there = os.fstat(self.fd), os.stat(self.name, dir_fd=self.dir_fd,
                                                     follow_symlinks=False)
            if (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino):
                os.unlink(self.name, dir_fd=self.dir_fd)
        except OSError:
            pass

    def close(self) -> None:
        for fd in (self.fd, self.dir_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.fd = self.dir_fd = -1


class ExportPolicy(ImportPolicy):
    """The operator's export roots: the same location rules as imports (``check``), and a
    destination is always a new file, created without following any symlink."""

    refused, disabled = EXPORT_REFUSED, EXPORT_DISABLED

    def create(self, location, protected_dirs=()) -> ExportTarget:
        path = self.check(location)
        if path is None:
            raise ImportRefused(self.refused)
        # no symlink anywhere below the root: the path as given is walked with O_NOFOLLOW
        parent, name = os.path.dirname(path), os.path.basename(path)
        root = next((r for pair in self.roots for r in pair if within(parent, r)), None)
        if root is None or self._protected(os.path.realpath(parent), protected_dirs):
            raise ImportRefused(self.refused)
        rel = os.path.relpath(parent, root)
        dir_fd = self._dir_below(root, [] if rel == "." else rel.split(os.sep), self.refused)
        try:
            fd = os.open(name, _NEW_FILE_FLAGS, 0o640, dir_fd=dir_fd)
        except FileExistsError:
            os.close(dir_fd)
            raise ExportExists(EXPORT_EXISTS) from None
        except OSError:
            os.close(dir_fd)
            raise ImportRefused(self.refused) from None
        return ExportTarget(fd, dir_fd, name, location)
