"""Work on each distinct value once: a column of a million cells often holds a few hundred values.

Trimming, null tokens and date or amount parsing give the same answer for the same text, so
they run over the distinct values (in order of first appearance, so "the first example" is
still the first in the file) and are spread back to every cell with the codes. Counts for the
quality report are weighted by how many cells hold each value, so they stay counts of cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Distinct:
    codes: np.ndarray  # per cell: position of its value in `values`, -1 for a missing cell
    values: pd.Series  # each distinct present value once, RangeIndex 0..k-1
    counts: np.ndarray  # cells holding each value
    index: pd.Index  # the index of the original column

    def count(self, mask) -> int:
        """Cells whose value is flagged by `mask` (a mask over `values`, or a boolean Series
        indexed by positions in `values`)."""
        if isinstance(mask, pd.Series):
            hit = mask.fillna(False).to_numpy(dtype=bool)
            return int(self.counts[mask.index.to_numpy()[hit]].sum())
        return int(self.counts[np.asarray(mask, dtype=bool)].sum())

    def cells(self, per_value: np.ndarray, missing) -> np.ndarray:
        """A per-value numpy array spread to every cell; missing cells get `missing`."""
        per_value = np.asarray(per_value)
        return np.append(per_value, np.asarray([missing], dtype=per_value.dtype))[self.codes]

    def series(self, per_value: pd.Series) -> pd.Series:
        """A per-value Series (any dtype) spread to every cell; missing cells become NA."""
        taken = per_value.array.take(self.codes, allow_fill=True)
        return pd.Series(taken, index=self.index, name=per_value.name)


def distinct(values: pd.Series) -> Distinct:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return Distinct(codes, pd.Series(uniques, dtype=values.dtype, name=values.name), counts,
                    values.index)
