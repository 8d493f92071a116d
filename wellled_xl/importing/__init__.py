"""Adopting what a trust already has: its tracker workbook, or last quarter's board paper."""
