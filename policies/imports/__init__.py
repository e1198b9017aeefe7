"""Imports: government contract records from USAspending, policy versions from files.

- `usaspending`: award summary and transaction CSV downloads → Agency, Contract, Observation.
- `policy_versions`: a policy text file (or an Open Terms Archive series) → PolicyVersion.
- `report`: what happened to every row, and the summary staff read.

See docs/imports.md.
"""
