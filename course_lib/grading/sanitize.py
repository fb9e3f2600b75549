"""A sanitising step nbgrader 0.9 needs for duplicated cells.

``DeduplicateIds`` turns every earlier copy of a duplicated grade cell into a plain cell by
setting its ``nbgrader`` metadata to ``{}``; ``OverwriteCells(add_missing_cells=True)`` then
crashes on that empty dict (``KeyError: 'grade_id'`` in ``add_missing_task_cells``), and the
whole submission fails. :class:`DropEmptyNbgraderMetadata`, placed between the two, removes
the empty dict, so a duplicated test cell is simply ignored.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["DropEmptyNbgraderMetadata"]


class DropEmptyNbgraderMetadata(NbGraderPreprocessor):
    """Remove ``nbgrader`` metadata that carries no ``grade_id`` (duplicates, hand-edited metadata)."""

    def preprocess_cell(self, cell, resources, index):
        md = cell.metadata.get("nbgrader")
        if md is not None and "grade_id" not in md:
            del cell.metadata["nbgrader"]
        return cell, resources
