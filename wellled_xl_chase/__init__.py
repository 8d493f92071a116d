"""The Chase leads add-in's module: wellled_xl_chase.xlam's button runs ``main()`` here."""


def main() -> None:
    """What xlwings' compiled RunMain calls for wellled_xl_chase.xlam: the Chase leads button."""
    import wellled_xl

    wellled_xl.chase_main()
