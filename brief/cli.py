"""The ``brief`` command line: parse options, call one library function, present.

Each command turns the library's :class:`~brief.errors.BriefError` into a
one-line message and a non-zero exit code. Commands are added below ``main``,
one function each.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import click

from brief.errors import BriefError

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn library errors into a one-line message and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BriefError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


@click.group()
@click.option("--verbose", "-v", is_flag=True, help="Log what each stage does to stderr.")
@click.version_option(package_name="brief")
def main(verbose: bool) -> None:
    """Turn news articles about one event into a dated, cited situation brief.

    Example:

        brief build seeds/
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
