"""The one error an import ends with: the file is refused, and nothing was changed."""

from translations import _


class ImportRefused(ValueError):
    """The file cannot be imported; the text says why, in words for the page."""


def unreadable_export(problem: str) -> ImportRefused:
    """The refusal of a document that is not a Dues export this Dues reads, and why."""
    return ImportRefused(
        _("The document is not a Dues export Dues can read: %(problem)s.", problem=problem)
    )
