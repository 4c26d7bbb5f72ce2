"""The library's errors; the CLI turns each into a one-line message and exit code."""


class BriefError(Exception):
    """Base class for every error the library raises on purpose."""


class ConfigError(BriefError):
    """A setting or config file is invalid."""


class InputError(BriefError):
    """The sources given cannot be read as articles."""


class ModelError(BriefError):
    """A model is missing, corrupt, or cannot be loaded."""


class StateError(BriefError):
    """The nightly state file is locked, corrupt or from a newer version."""


class RenderError(BriefError):
    """A template is broken or the brief cannot be laid out."""
