"""Gap analysis: rules that find where a company's practice diverges from its commitments.

- `facts`: the published record the rules read, loaded in a fixed number of queries.
- `rules`: one small function per rule; each docstring states the rule in plain words.
- `detect`: runs the rules and keeps Signal rows in step with what they find.
- `matching`: commitments across policy versions (added, reworded, weakened, removed).
- `triage`: staff decisions on signals (confirm into a gap, merge, dismiss).
- `pages`: query functions for the public gap page and the company directory.
- `hooks`: cheap re-detection for the one company a save touches.

See docs/gap-analysis.md.
"""
