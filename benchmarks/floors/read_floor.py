"""Read floor: start Python, import pandas and pandera, read the tracker's sheets into DataFrames.

What any pandera-based validator must pay before it checks a single cell.
"""

import sys

import pandas as pd
import pandera.pandas  # noqa: F401  (the import is part of the floor)
import python_calamine

book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
frames = {}
for name in book.sheet_names:
    rows = book.get_sheet_by_name(name).to_python()
    if rows:
        frames[name] = pd.DataFrame(rows[1:], columns=[str(c) for c in rows[0]])
print(sum(len(frame) for frame in frames.values()))
