"""Moving data in and out of an account: Wallos's files, and Dues' own export.

Every source is read into one ImportPlan (plan.py), and one function applies a
plan (apply.py): the preview is that function run and rolled back, so what the
preview shows is what the import does.
"""

from importers.errors import ImportRefused

__all__ = ["ImportRefused"]
