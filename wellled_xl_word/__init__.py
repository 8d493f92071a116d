"""The Board paper (Word) add-in's module: wellled_xl_word.xlam's button runs ``main()`` here."""


def main() -> None:
    """What xlwings' compiled RunMain calls for wellled_xl_word.xlam: the Word paper button."""
    import wellled_xl

    wellled_xl.word_main()
