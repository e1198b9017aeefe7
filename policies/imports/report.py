"""What happened to every row of an import, and the summary staff read at the end.

Each row gets exactly one outcome: imported, unchanged, updated, skipped (with a reason)
or rejected (with its line, column and reason). A whole file can be rejected too (empty,
not UTF-8, a required column missing), with a message and nothing written.

The report keeps every row in memory by default (the admin page lists them); the command
line passes `keep_rows=False` and a `sink` that prints or writes each row as it comes, so
memory stays flat on a million-row file. When the sink only wants some outcomes
(`sink_outcomes`: without --report, the command prints only rows that were not simply
imported or unchanged), the PostgreSQL path counts the others in SQL instead of reading
them back one by one.
"""

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    IMPORTED = "imported"
    UNCHANGED = "unchanged"
    UPDATED = "updated"
    SKIPPED = "skipped"
    REJECTED = "rejected"


@dataclass(slots=True)
class RowResult:
    file: str
    line: int
    outcome: Outcome
    key: str = ""
    column: str = ""
    reason: str = ""
    changes: tuple = ()  # (field, old, new) for updates

    def describe(self):
        where = f"{self.file} line {self.line}"
        parts = [f"{where}: {self.outcome}"]
        if self.key:
            parts.append(self.key)
        if self.column:
            parts.append(f"column {self.column}")
        if self.changes:
            parts.append("; ".join(f"{name}: {old} → {new}" for name, old, new in self.changes))
        if self.reason:
            parts.append(self.reason)
        return " — ".join(parts)


@dataclass
class UnknownRecipient:
    name: str
    uei: str
    duns: str
    rows: int = 0
    first_line: str = ""


@dataclass
class ImportReport:
    keep_rows: bool = True
    sink: object = None  # a callable receiving each RowResult as it is added
    sink_outcomes: frozenset | None = None  # the outcomes the sink wants (None: all)
    dry_run: bool = False
    rows: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    file_errors: list = field(default_factory=list)  # (file name, message)
    notes: list = field(default_factory=list)
    unknown_recipients: dict = field(default_factory=dict)
    created_agencies: list = field(default_factory=list)
    vanished: list = field(default_factory=list)  # award keys flagged this time
    rolled_back: bool = False

    def add(self, result):
        self.counts[result.outcome] += 1
        if self.keep_rows:
            self.rows.append(result)
        if self.sink and (self.sink_outcomes is None or result.outcome in self.sink_outcomes):
            self.sink(result)

    def wants_rows(self, outcome):
        """Whether rows with `outcome` are kept or sunk one by one (else only counted)."""
        return self.keep_rows or (
            self.sink is not None and (self.sink_outcomes is None or outcome in self.sink_outcomes)
        )

    def add_count(self, outcome, rows):
        """Count `rows` rows with `outcome` that nobody wants one by one (see `wants_rows`)."""
        assert not self.wants_rows(outcome)
        self.counts[outcome] += rows

    def reject_file(self, file_name, message):
        self.file_errors.append((file_name, message))

    def note_unknown_recipient(self, name, uei, duns, where, rows=1):
        key = uei or duns or name
        entry = self.unknown_recipients.get(key)
        if entry is None:
            entry = self.unknown_recipients[key] = UnknownRecipient(name, uei, duns, first_line=where)
        entry.rows += rows

    @property
    def ok(self):
        """False when a file was rejected whole or an all-or-nothing import was rolled back."""
        return not self.file_errors and not self.rolled_back

    @property
    def total(self):
        return sum(self.counts.values())

    def summary_lines(self):
        lines = []
        if self.dry_run:
            lines.append("Dry run: nothing was saved.")
        for file_name, message in self.file_errors:
            lines.append(f"REJECTED FILE {file_name}: {message}")
        if self.rolled_back:
            lines.append(
                f"Rolled back: {self.counts[Outcome.REJECTED]} row(s) rejected and --all-or-nothing "
                "was given, so nothing was saved."
            )
        counts = ", ".join(f"{self.counts[o]} {o}" for o in Outcome)
        lines.append(f"{self.total} row(s): {counts}.")
        for agency in self.created_agencies:
            lines.append(f"New agency (draft): {agency}")
        if self.created_agencies:
            lines.append(
                "Contracts and obligations of a draft agency stay off the public site and the exports, "
                "even when published, until a reviewer publishes the agency."
            )
        if self.unknown_recipients:
            lines.append(
                f"{len(self.unknown_recipients)} recipient(s) not matched to a company "
                "(add a company alias for each, then import again):"
            )
            for entry in self.unknown_recipients.values():
                known = (("UEI", entry.uei), ("DUNS", entry.duns))
                ids = ", ".join(f"{label} {value}" for label, value in known if value)
                lines.append(
                    f"  {entry.name}{f' ({ids})' if ids else ''}: "
                    f"{entry.rows} row(s), first at {entry.first_line}"
                )
        if self.vanished:
            saved = not (self.dry_run or self.rolled_back)
            flagged = "flagged vanished" if saved else "would be flagged vanished; not saved"
            lines.append(f"{len(self.vanished)} contract(s) no longer in the official source ({flagged}):")
            lines.extend(f"  {key}" for key in self.vanished[:50])
            if len(self.vanished) > 50:
                lines.append(f"  … and {len(self.vanished) - 50} more")
        lines.extend(self.notes)
        return lines

    def as_dict(self):
        """A JSON-able summary, stored on the ImportRun."""
        return {
            "counts": {str(o): self.counts[o] for o in Outcome},
            "file_errors": [list(e) for e in self.file_errors],
            "unknown_recipients": [vars(e) for e in self.unknown_recipients.values()],
            "created_agencies": list(self.created_agencies),
            "vanished": list(self.vanished),
            "notes": list(self.notes),
            "rolled_back": self.rolled_back,
        }
