"""The one error an import ends with: the file is refused, and nothing was changed."""


class ImportRefused(ValueError):
    """The file cannot be imported; the text says why, in words for the page."""
