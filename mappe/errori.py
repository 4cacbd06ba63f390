"""The exception hierarchy of mappe: every user error is a MappeError with an Italian message."""

__all__ = ["AreaError", "CatalogoError", "ComuneError", "ImportaError", "MappeError", "PrivacyError"]


class MappeError(Exception):
    """A problem the user can fix; the message is one Italian sentence. A builtin exception is a bug."""


class AreaError(MappeError):
    """The workspace is missing or malformed."""


class CatalogoError(MappeError):
    """The catalogue in layers/*.toml is broken."""


class ComuneError(MappeError):
    """A comune cannot be found, is ambiguous, or is not in the workspace."""


class ImportaError(MappeError):
    """A whole file cannot be imported (unreadable, wrong format, no usable columns)."""


class PrivacyError(MappeError):
    """A public file would contain something private."""
