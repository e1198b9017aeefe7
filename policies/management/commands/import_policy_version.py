"""Import a policy version from a file, or an Open Terms Archive series from a directory.

    manage.py import_policy_version --company SLUG --policy SLUG --effective 2024-01-02 FILE.md|.txt|.html
    manage.py import_policy_version --company SLUG [--policy SLUG] DIR   # <Service>/<Terms type>/<date>.md

Identical (normalised) text is a no-op. New versions are drafts. See docs/imports.md.
"""

import argparse
import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from policies.imports.policy_versions import PolicyImportError, import_file, import_series
from policies.models import Company, Policy


class Command(BaseCommand):
    help = "Import a policy version (.md, .txt, .html) or an Open Terms Archive directory of versions."

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE_OR_DIR")
        parser.add_argument("--company", required=True, help="Company slug.")
        parser.add_argument("--policy", help="Policy slug (required for a single file).")
        parser.add_argument(
            "--effective", type=_date, help="YYYY-MM-DD the version took effect (single file)."
        )
        parser.add_argument("--reason", default="", help="Added to the history reason.")
        parser.add_argument("--user", help="Username of the staff member importing.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; save nothing.")

    def handle(self, *args, **options):
        company = _get(Company, "company", slug=options["company"])
        policy = (
            _get(Policy, "policy", company=company, slug=options["policy"]) if options["policy"] else None
        )
        common = dict(user=_user(options["user"]), reason=options["reason"], dry_run=options["dry_run"])
        path = Path(options["path"])
        try:
            if path.is_dir():
                results = import_series(company, path, policy=policy, **common)
            elif not path.is_file():
                raise CommandError(f"{path} does not exist.")
            elif policy is None or options["effective"] is None:
                raise CommandError("A single file needs --policy and --effective YYYY-MM-DD.")
            else:
                results = [import_file(policy, options["effective"], path, **common)]
        except PolicyImportError as exc:
            raise CommandError(str(exc)) from None
        for result in results:
            self.stdout.write(result.describe())
            for match in result.matches:
                self.stdout.write(f"  commitment {match}")
        counts = {}
        for result in results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        self.stdout.write(", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) + ".")
        if counts.get("rejected"):
            raise CommandError("Some files were rejected: see the messages above.")


def _get(model, label, **lookup):
    try:
        return model.objects.get(**lookup)
    except model.DoesNotExist:
        raise CommandError(f"No {label} {lookup.get('slug')!r}.") from None


def _user(username):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None
