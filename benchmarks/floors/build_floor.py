"""Build floor: read the tracker's cells with python-calamine, write the same cells with XlsxWriter.

No validation, no styling: the least a tool that rewrites a tracker as a paper can pay.
"""

import sys

import python_calamine
import xlsxwriter

book = python_calamine.CalamineWorkbook.from_path(sys.argv[1])
out = xlsxwriter.Workbook(
    sys.argv[2], {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": False}
)
date_format = out.add_format({"num_format": "dd/mm/yyyy"})
for name in book.sheet_names:
    sheet = out.add_worksheet(name)
    for r, row in enumerate(book.get_sheet_by_name(name).to_python()):
        for c, value in enumerate(row):
            if value == "" or value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            elif hasattr(value, "year"):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write(r, c, value)
out.close()
