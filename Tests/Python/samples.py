"""Rigor code the Python tests run (kept in one place, in the language's own syntax)."""

TRIVIAL = "1 + 1"
SET_X = "var x = 41"
READ_X = "x + 1"
# A cell that runs until interrupted.
LONG_LOOP = "var spins = 0\nwhile true { spins = spins + 1 }"
PRINT_LINES = "for i in 0..<{n} {{ print(i) }}"
