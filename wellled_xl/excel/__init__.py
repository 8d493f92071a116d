"""The Excel door: the button's entry point, the xlwings writer, the add-in with the button.

Nothing here is imported by the command line or the library: xlwings is imported only
when the button runs (`wellled_xl.main()`) or the add-in is built.
"""
