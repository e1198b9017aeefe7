"""Dates typed in the admin are ISO 8601 only (2026-02-01).

The British default reads 01/02/2026 as 1 February; a colleague used to American dates
means 2 January, and the tracker would record the wrong day without a word. One
unambiguous form, which the calendar widget also writes, leaves no room for that.
"""

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M"]
