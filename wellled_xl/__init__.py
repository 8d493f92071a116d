"""wellled-xl: turn a well-led / CQC action tracker into a checked, honest board paper."""

__version__ = "0.1.0"


def main() -> None:
    """The Excel button's entry point: ``RunPython "import wellled_xl; wellled_xl.main()"``.

    Validates the workbook open in Excel and writes its board paper into it; see
    `wellled_xl.excel.button`. Imported lazily, so the command line never loads xlwings.
    """
    from wellled_xl.excel.button import main as run_button

    run_button()


def chase_main() -> None:
    """The Chase leads button's entry point: ``RunPython "import wellled_xl;
    wellled_xl.chase_main()"``. Writes the open workbook's Chase sheet and the .eml drafts
    beside it; sends nothing. See `wellled_xl.excel.chase`."""
    from wellled_xl.excel.chase import main as run_chase_button

    run_chase_button()


def word_main() -> None:
    """The Board paper (Word) button's entry point (the wellled_xl_word.xlam add-in):
    writes the open workbook's paper as a .docx beside it. See `wellled_xl.excel.button`."""
    from wellled_xl.excel.button import word_main as run_word_button

    run_word_button()
