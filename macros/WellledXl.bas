Attribute VB_Name = "RibbonMyAddin"
' wellled-xl: the "Validate & Build" button of the Well-led ribbon tab (customUI.xml).
'
' The add-in built by `wellled-xl addin build` keeps the compiled VBA of xlwings' ribbon
' add-in template (quickstart_addin_ribbon.xlam), whose module RibbonMyAddin does the
' same as this file: RunMain imports the Python module named like the add-in file, so
' wellled_xl.xlam runs wellled_xl.main(). This source is for a trust that builds the
' add-in in Excel itself (import it together with xlwings.bas from the xlwings package)
' or wants the macro in its own macro-enabled workbook. The module keeps the template's
' name so that customUI.xml's onAction="RibbonMyAddin.RunMain" finds it either way.
'
' RunPython (xlwings.bas) starts the Python set as Interpreter_Win / Interpreter_Mac in
' the add-in's myaddin.conf sheet or in %USERPROFILE%\.myaddin\myaddin.conf, and passes
' it the active workbook: xw.Book.caller() is the officer's tracker, not the add-in.

Option Explicit

' The ribbon button's callback.
Sub RunMain(control As IRibbonControl)
    ValidateAndBuild
End Sub

' The same without the ribbon: Alt+F8, a Quick Access Toolbar button or a shape.
Sub ValidateAndBuild()
    RunPython "import wellled_xl; wellled_xl.main()"
End Sub

' The Chase leads button (customUI_chase.xml) in a workbook or add-in built by hand: the
' same as wellled_xl_chase.xlam's RunMain, which runs wellled_xl_chase.main().
Sub RunChase(control As IRibbonControl)
    ChaseLeads
End Sub

Sub ChaseLeads()
    RunPython "import wellled_xl; wellled_xl.chase_main()"
End Sub
