"""The benchmark: `python -m bench` (or `make bench`). See docs/performance.md.

Every figure is printed next to a reference measured in the same run: a bare Django view
of the same size (the floor), the same page in a small world, a bare COPY of the same
rows. Ratios, not absolute numbers, are compared with the targets, so they hold on any
machine. Not part of `make test`.
"""
