"""The set-based SQL of the PostgreSQL award-summary import (see `staged.py`).

Every statement works on temporary tables `staged.py` fills: `import_stage` (one text row
per CSV record, with `ok` when `certainly_valid` vouched for it), `import_rejected` and
`import_fixed` (what Python's `parse_values` said of the others), `import_dups` (only the
rows whose key occurs more than once in the download, numbered), `import_parts` (file name
and history reason of each part), `import_agencies` and `import_vendors` (the few distinct
agencies and recipients, resolved in Python), then `import_work` (one typed row per award
to write, its contract id reserved) and `import_changes` (the awards that exist already).
History rows are written by the same statement as the rows they record (`WITH ...
RETURNING`). Parameters are named (`%(now)s`).
"""

from django.db import connection

from .rows import TITLE_LENGTH

# An ISO date that is certainly real: days up to 28 need no calendar, 29-31 are checked
# against the month's length. Plain character classes, no bounded repetition ({1,14}):
# PostgreSQL's regular expressions cost twice as much with it (measured on 100,000 rows).
_DATE_OK = """CASE WHEN {v} = '' THEN true
    WHEN {v} ~ '^[1-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]$'
        AND substr({v}, 6, 2) BETWEEN '01' AND '12' AND substr({v}, 9, 2) BETWEEN '01' AND '31' THEN
        substr({v}, 9, 2) <= '28' OR substr({v}, 9, 2)::int <= extract(day from make_date(
            substr({v}, 1, 4)::int, substr({v}, 6, 2)::int, 1) + interval '1 month - 1 day')
    ELSE false END"""
# Up to 14 digits, then optionally a point and one or two digits (the integer part is at
# most 14 digits long: the whole value is, or its point is at most the 15th character).
_AMOUNT_OK = """({v} = '' OR {v} ~ '^[0-9]+(\\.[0-9][0-9]?)?$'
    AND (char_length({v}) <= 14 OR strpos({v}, '.') BETWEEN 2 AND 15))"""
LENGTHS = {
    "award_key": 300,
    "piid": 200,
    "agency_code": 20,
    "agency_name": 200,
    "sub_agency_code": 20,
    "sub_agency_name": 200,
    "recipient_name": 300,
    "recipient_uei": 300,
    "recipient_duns": 300,
    "parent_name": 300,
    "parent_uei": 300,
    "parent_duns": 300,
}
# Session settings while an import runs (the session's own are restored after): memory for
# its sorts and hashes; no JIT (PostgreSQL judged the large INSERT ... SELECTs worth
# compiling and spent 0.45 s compiling the contract insert and 0.78 s the citation insert
# of a 100,000-row file, more than the expressions then cost to run: EXPLAIN ANALYZE,
# PostgreSQL 15); and a small ANALYZE sample for the import's own tables (3,000 rows:
# 0.02 s instead of 0.2 s for 100,000, and enough to choose hash joins).
SETTINGS = {"work_mem": "64MB", "jit": "off", "default_statistics_target": "10"}
_REQUIRED = ("award_key", "piid", "agency_name", "recipient_name")
_DATES = ("started_on", "ended_on", "latest_action_on")

# (report name, column of Contract, SQL of the new value), in the order the Python path reports
CHANGES = (
    ("description", "description", "w.description"),
    ("amount", "amount", "w.amount"),
    ("potential_amount", "potential_amount", "w.potential_amount"),
    ("started_on", "started_on", "w.started_on"),
    ("ended_on", "ended_on", "w.ended_on"),
    ("award_id", "award_id", "w.piid"),
    ("vendor_id", "vendor_id", "CASE WHEN c.vendor_id IS NULL THEN w.vendor_id ELSE c.vendor_id END"),
    ("source_status", "source_status", "'present'"),
    (
        "last_seen_in_source_on",
        "last_seen_in_source_on",
        "CASE WHEN c.last_seen_in_source_on IS NULL OR c.last_seen_in_source_on < %(seen_on)s::date "
        "THEN %(seen_on)s::date ELSE c.last_seen_in_source_on END",
    ),
)


def certainly_valid():
    """A condition on `import_stage` true only for rows `rows.parse_values` accepts as they are.

    Rows it does not vouch for (a bad value, or an unusual good one such as a date with a
    time) go through `parse_values` itself, so messages and edge cases live in one place.
    """
    checks = [f"char_length({c}) <= {n}" for c, n in LENGTHS.items()]
    checks += [f"{c} <> ''" for c in _REQUIRED]
    checks += [_AMOUNT_OK.format(v=c) for c in ("amount", "potential_amount")]
    dates = " AND ".join(f"({_DATE_OK.format(v=c)})" for c in _DATES)
    order = "(started_on = '' OR ended_on = '' OR ended_on::date >= started_on::date)"
    return f"({' AND '.join(checks)}) AND CASE WHEN {dates} THEN {order} ELSE false END"


def apply_settings():
    """Apply `SETTINGS` to the session; returns what to give `restore_settings` after."""
    names = list(SETTINGS)
    row = fetch(
        "SELECT " + ", ".join(f"current_setting('{n}'), set_config('{n}', %s, false)" for n in names),
        [SETTINGS[n] for n in names],
    )[0]
    return dict(zip(names, row[::2], strict=True))


def restore_settings(saved):
    if saved:
        fetch("SELECT " + ", ".join(f"set_config('{n}', %s, false)" for n in saved), list(saved.values()))


def execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stage_raw(part, columns, staged, whitespace, line_breaks, line_offset=1):
    """Copy the used columns of `import_raw` (the file as COPY read it) into `import_stage`.

    Values are stripped as Python's str.strip() does (btrim with that character set is
    slow, so only in rows where some used value starts or ends with such a character: one
    regular expression per row finds them), the title is `rows.award_title`, and `ok` is
    `certainly_valid()` of the stripped values (one pass for all three). Record n
    (numbered by COPY, in the file's order) is on the file's line n + `line_offset`: 1 (the
    header), or the lines before the second half of a file staged apart. `OFFSET 0` keeps
    each value computed once.
    """
    used = [name for name in staged if name in columns.index]
    raw = ", ".join(f"c{columns.index[name]} AS {name}" for name in used)
    space = "[" + "".join(_regex_char(c) for c in whitespace) + "]"
    values = ", ".join(
        f"CASE WHEN pad THEN btrim(coalesce({name}, ''), %(ws)s) ELSE coalesce({name}, '') END AS {name}"
        if name in columns.index
        else f"'' AS {name}"
        for name in staged
    )
    joined = " || chr(1) || ".join(f"coalesce(c{columns.index[name]}, '')" for name in used)
    execute(
        f"""INSERT INTO import_stage (part, line, title, ok, {", ".join(staged)})
        SELECT %(part)s, line, CASE WHEN char_length(t) <= %(title_length)s THEN t
            ELSE left(t, %(title_length)s - 1) || '…' END, {certainly_valid()}, {", ".join(staged)}
        FROM (SELECT v.*, CASE WHEN description = '' THEN 'Award ' || piid
                ELSE piid || ' — ' || substring(description from %(first_line)s) END AS t
            FROM (SELECT line, {values} FROM (
                SELECT %(line_offset)s + n AS line, {raw}, ({joined}) ~ %(pad)s AS pad
                FROM import_raw OFFSET 0) r
            OFFSET 0) v OFFSET 0) x""",
        {
            "part": part,
            "line_offset": line_offset,
            "ws": whitespace,
            "pad": f"(^|\\x01){space}|{space}(\\x01|$)",
            "first_line": f"^[^{line_breaks}]*",
            "title_length": TITLE_LENGTH,
        },
    )


def _regex_char(char):
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def unchecked_sql(staged):
    """The staged rows `certainly_valid` does not vouch for (`ok` is computed while staging
    a file PostgreSQL parsed, and here for rows Python's reader staged), in file order."""
    return (
        f"SELECT part, line, {', '.join(staged)} FROM import_stage "
        f"WHERE NOT coalesce(ok, {certainly_valid()}) ORDER BY part, line"
    )


def find_duplicates():
    """`import_dups`: the rows whose readable key occurs more than once, numbered (their
    number is returned).

    Usually empty: grouping every key (a hash) costs far less than numbering them all (a
    sort). The first occurrence wins, rejected or not, as in the Python path.
    """
    return execute(
        """CREATE TEMP TABLE import_dups AS
        SELECT s.part, s.line, s.award_key, r.line IS NOT NULL AS rejected,
            row_number() OVER w AS n, first_value(s.part) OVER w AS first_part,
            first_value(s.line) OVER w AS first_line
        FROM import_stage s LEFT JOIN import_rejected r USING (part, line)
        WHERE s.award_key IN (SELECT award_key FROM import_stage
            WHERE award_key <> '' AND char_length(award_key) <= 300 GROUP BY 1 HAVING count(*) > 1)
        WINDOW w AS (PARTITION BY s.award_key ORDER BY s.part, s.line)"""
    )


def kept(rejected, repeated):
    """SQL on `s` (a row of import_stage) for the rows to write: not rejected, not a repeated
    key. Each anti-join only if there is something to leave out (usually nothing): even
    against an empty table, they cost 0.05 s per pass of 100,000 rows."""
    tests = []
    if rejected:
        tests.append("NOT EXISTS (SELECT FROM import_rejected r WHERE r.part = s.part AND r.line = s.line)")
    if repeated:
        tests.append(
            "NOT EXISTS (SELECT FROM import_dups d WHERE d.part = s.part AND d.line = s.line AND d.n > 1)"
        )
    return " AND ".join(tests) or "true"


_TYPED = """nullif(coalesce(f.amount, s.amount), '')::numeric(16, 2) AS amount,
    nullif(coalesce(f.potential_amount, s.potential_amount), '')::numeric(16, 2) AS potential_amount,
    nullif(coalesce(f.started_on, s.started_on), '')::date AS started_on,
    nullif(coalesce(f.ended_on, s.ended_on), '')::date AS ended_on"""
_SCOPE_DATE = """coalesce(nullif(coalesce(f.latest_action_on, s.latest_action_on), '')::date,
    nullif(coalesce(f.started_on, s.started_on), '')::date)"""


def duplicates():
    """(part, line, key, first part, first line) of valid rows whose key came earlier."""
    return fetch(
        """SELECT part, line, award_key, first_part, first_line FROM import_dups
        WHERE n > 1 AND NOT rejected ORDER BY part, line"""
    )


def distinct_parties(kept):
    """Each distinct (agency, recipient) of the rows to write: the four agency columns, the
    six recipient and parent columns (a tuple), its row count, its first row (part << 32 |
    line) and the first and last scope date of its rows (the download's scope)."""
    rows = fetch(
        f"""SELECT agency_code, agency_name, sub_agency_code, sub_agency_name,
            recipient_name, recipient_uei, recipient_duns, parent_name, parent_uei, parent_duns,
            count(*), min(part::bigint << 32 | line), min(scope_date), max(scope_date)
        FROM (SELECT s.part, s.line, s.agency_code, s.agency_name, s.sub_agency_code, s.sub_agency_name,
            s.recipient_name, s.recipient_uei, s.recipient_duns, s.parent_name, s.parent_uei, s.parent_duns,
            {_SCOPE_DATE} AS scope_date
            FROM import_stage s LEFT JOIN import_fixed f USING (part, line) WHERE {kept}) p
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"""
    )
    return [(*row[:4], tuple(row[4:10]), *row[10:]) for row in rows]


_AGENCY_JOIN = """JOIN import_agencies a
    ON (a.agency_code, a.agency_name, a.sub_agency_code, a.sub_agency_name)
    = (s.agency_code, s.agency_name, s.sub_agency_code, s.sub_agency_name)"""
_VENDOR_JOIN = """JOIN import_vendors v ON (v.recipient_name, v.recipient_uei, v.recipient_duns,
    v.parent_name, v.parent_uei, v.parent_duns) = (s.recipient_name, s.recipient_uei, s.recipient_duns,
    s.parent_name, s.parent_uei, s.parent_duns)"""


def agency_failures(kept):
    """(part, line, message) of rows whose agency could not be created."""
    return fetch(
        f"""SELECT s.part, s.line, a.error FROM import_stage s {_AGENCY_JOIN}
        WHERE {kept} AND a.agency_id IS NULL
        ORDER BY s.part, s.line"""
    )


def match_contracts(contract_model, kept):
    """`import_work`: the rows to write, typed, with agency, vendor and contract.

    A new contract's id is reserved here from the table's sequence, looked up once (an
    InitPlan): `nextval(pg_get_serial_sequence(...))` looked it up again for every row,
    0.28 s of 100,000.
    """
    table = contract_model._meta.db_table
    execute(
        f"""CREATE TEMP TABLE import_work AS
        SELECT s.part, s.line, s.award_key, s.piid, s.title, s.description, {_TYPED},
            a.agency_id, v.vendor_id, v.via, c.id IS NULL AS is_new,
            coalesce(c.id, nextval((SELECT pg_get_serial_sequence(%(table)s, %(pk)s)::regclass)))
                AS contract_id
        FROM import_stage s LEFT JOIN import_fixed f USING (part, line) {_AGENCY_JOIN} {_VENDOR_JOIN}
            LEFT JOIN {table} c ON c.award_key = s.award_key AND c.award_key <> ''
        WHERE a.agency_id IS NOT NULL AND {kept}""",
        {"table": table, "pk": contract_model._meta.pk.column},
    )


def compare_existing(params):
    """`import_changes`: one row per award that exists already, `changed` or not.

    Old and new values as text (for the report) only for the changed ones: a re-import of
    an unchanged download computes nothing more per row than the comparison.
    """
    changed = " OR ".join(f"c.{column} IS DISTINCT FROM ({new})" for _, column, new in CHANGES)
    typed = ", ".join(f"c.{column} AS old_{name}, ({new}) AS new_{name}" for name, column, new in CHANGES)
    texts = ", ".join(
        f"CASE WHEN changed THEN {age}_{name}::text END AS {age}_{name}"
        for name, _, _ in CHANGES
        for age in ("old", "new")
    )
    execute(
        f"""CREATE TEMP TABLE import_changes AS
        SELECT part, line, contract_id, changed, {texts}
        FROM (SELECT w.part, w.line, w.contract_id, ({changed}) AS changed, {typed}
            FROM import_work w JOIN policies_contract c ON c.id = w.contract_id
            WHERE NOT w.is_new OFFSET 0) k""",
        params,
    )
    execute("ANALYZE import_changes")


def write_counts():
    """(new contracts, changed contracts) to write."""
    return fetch(
        "SELECT (SELECT count(*) FROM import_work WHERE is_new), "
        "(SELECT count(*) FROM import_changes WHERE changed)"
    )[0]


def split_point():
    """The (part, line) where the second half of the rows to write starts."""
    rows = fetch(
        """SELECT part, line FROM import_work ORDER BY part, line
        OFFSET (SELECT count(*) / 2 FROM import_work) LIMIT 1"""
    )
    return rows[0] if rows else (0, 0)


def half_condition(half):
    """SQL (on `w`, a row of import_work) for one half of the rows: 0, 1, or None for all."""
    if half is None:
        return "true"
    return f"(w.part, w.line) {'<' if half == 0 else '>='} (%(split_part)s, %(split_line)s)"


def _history_select(model, *, source, history_type, reason):
    """Columns and SELECT list of a history row copied from `source`: a row of `model` (an
    alias), or {column: SQL} of the values the row was inserted with."""
    history = model.history.model
    own = {f.column for f in model._meta.concrete_fields}
    columns, select = [], []
    for f in history._meta.concrete_fields:
        if f.attname == "history_id":
            continue
        quoted = connection.ops.quote_name(f.column)
        columns.append(quoted)
        select.append(
            (source[quoted] if isinstance(source, dict) else f"{source}.{quoted}")
            if f.column in own
            else {
                "history_date": "%(now)s::timestamptz",
                "history_change_reason": reason,
                "history_type": f"'{history_type}'",
                "history_user_id": "%(user_id)s::int",
                "public_attribution": "%(attribution)s",
            }[f.column]
        )
    return history._meta.db_table, ", ".join(columns), ", ".join(select)


def _returning(model):
    """The model's own columns: RETURNING * also carried the generated search vector, which
    the history does not keep, through the statement's tuple store (it spilled to disk)."""
    return ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)


def _defaults(model, values, params):
    """Column list and SELECT list of an insert: `values` (SQL), other fields their defaults."""
    columns, select = _inserted(model, values, params)
    return ", ".join(columns), ", ".join(select)


def _inserted(model, values, params):
    """(quoted columns, SQL) of an insert: `values` (SQL), other fields their defaults."""
    columns, select = [], []
    for f in model._meta.concrete_fields:
        if f.attname in values:
            expr = values[f.attname]
        elif f.primary_key:
            continue
        else:
            params[f"default_{f.attname}"] = f.get_db_prep_save(f.get_default(), connection)
            expr = f"%(default_{f.attname})s"
        columns.append(connection.ops.quote_name(f.column))
        select.append(expr)
    return columns, select


def _parts(params, row):
    """How a statement finds a row's file name and history reason: `p`, a row of
    import_parts joined to `row` (an alias with a `part` column), or, for a download of one
    part (nearly all: USAspending splits at a million rows), parameters and no join."""
    if params["one_part"]:
        return "", "%(reason)s", "%(file)s"
    return f"JOIN import_parts p ON p.part = {row}.part", "p.reason", "p.file"


def insert_contracts(model, params, half=None):
    join, reason, _ = _parts(params, "w")
    values = {
        "id": "w.contract_id",
        "created_at": "%(now)s::timestamptz",
        "updated_at": "%(now)s::timestamptz",
        "editorial_status": "%(status)s",
        "published_at": "%(published_at)s::timestamptz",
        "internal_notes": "'Imported from USAspending: ' || w.award_key",
        "title": "w.title",
        "description": "w.description",
        "award_id": "w.piid",
        "award_key": "w.award_key",
        "amount": "w.amount",
        "potential_amount": "w.potential_amount",
        "currency": "'USD'",
        "amount_note": "'Total obligated, as reported by USAspending.gov'",
        "started_on": "w.started_on",
        "ended_on": "w.ended_on",
        "source_status": "'present'",
        "last_seen_in_source_on": "%(seen_on)s::date",
        "agency_id": "w.agency_id",
        "vendor_id": "w.vendor_id",
    }
    columns, select = _inserted(model, values, params)
    table, history_columns, history_select = _history_select(
        model, source=dict(zip(columns, select, strict=True)), history_type="+", reason=reason
    )
    rows = f"FROM import_work w {join} WHERE w.is_new AND {half_condition(half)}"
    # Two statements from the same values: the history from a RETURNING of the new rows
    # cost 10% more (their tuple store), measured on 100,000 rows.
    contracts = model._meta.db_table
    execute(f"INSERT INTO {contracts} ({', '.join(columns)}) SELECT {', '.join(select)} {rows}", params)
    execute(f"INSERT INTO {table} ({history_columns}) SELECT {history_select} {rows}", params)


def update_contracts(model, params, half=None):
    join, reason, _ = _parts(params, "x")
    sets = ", ".join(f"{column} = ({new})" for _, column, new in CHANGES)
    table, history_columns, history_select = _history_select(
        model, source="upd", history_type="~", reason=reason
    )
    parts = f"JOIN import_changes x ON x.contract_id = upd.id {join}" if join else ""
    return execute(
        f"""WITH upd AS (
            UPDATE {model._meta.db_table} c SET {sets}, revision = c.revision + 1,
                updated_at = %(now)s::timestamptz
            FROM import_changes x JOIN import_work w USING (part, line)
            WHERE c.id = x.contract_id AND x.changed AND {half_condition(half)}
            RETURNING {", ".join("c." + column for column in _returning(model).split(", "))})
        INSERT INTO {table} ({history_columns})
        SELECT {history_select} FROM upd {parts}""",
        params,
    )


def insert_citations(model, params, half=None):
    """Cite the download for every contract written that does not cite it yet."""
    join, reason, file = _parts(params, "w")
    values = {
        "created_at": "%(now)s::timestamptz",
        "updated_at": "%(now)s::timestamptz",
        "object_id": "w.contract_id",
        "locator": f"left({file} || ', line ' || w.line, 200)",
        "content_type_id": "%(content_type_id)s",
        "source_id": "%(source_id)s",
    }
    columns, select = _defaults(model, values, params)
    table, history_columns, history_select = _history_select(
        model, source="ins", history_type="+", reason=reason
    )
    parts = f"JOIN import_work w ON w.contract_id = ins.object_id {join}" if join else ""
    return execute(
        f"""WITH ins AS (
            INSERT INTO {model._meta.db_table} ({columns})
            SELECT {select} FROM import_work w {join}
                LEFT JOIN import_changes x ON x.contract_id = w.contract_id
            WHERE (w.is_new OR (x.changed AND NOT EXISTS (
                SELECT 1 FROM {model._meta.db_table} e WHERE e.source_id = %(source_id)s
                AND e.content_type_id = %(content_type_id)s AND e.object_id = w.contract_id)))
                AND {half_condition(half)}
            RETURNING {_returning(model)})
        INSERT INTO {table} ({history_columns})
        SELECT {history_select} FROM ins {parts}""",
        params,
    )


def record_keys(model, run_id):
    """Every key seen (first occurrences, rejected rows' too), for vanished records: a JSON
    list per chunk of up to `KEY_CHUNK` lines of a part, not a row per key."""
    execute(
        f"""INSERT INTO {model._meta.db_table} (run_id, keys)
        SELECT %(run)s, jsonb_agg(s.award_key) FROM import_stage s
        WHERE s.award_key <> '' AND char_length(s.award_key) <= 300
            AND NOT EXISTS (SELECT FROM import_dups d WHERE d.part = s.part AND d.line = s.line AND d.n > 1)
        GROUP BY s.part, s.line / %(chunk)s""",
        {"run": run_id, "chunk": KEY_CHUNK},
    )


KEY_CHUNK = 10_000


def touched_vendors(published_new):
    """Vendors of the published contracts written (the gap rules read nothing else). New
    contracts are published only with `published_new` (--publish); else only the changed
    ones are looked at (a file of new drafts: no query over every row written)."""
    written = (
        """import_work w LEFT JOIN import_changes x ON x.contract_id = w.contract_id
        JOIN policies_contract c ON c.id = w.contract_id WHERE (w.is_new OR x.changed)"""
        if published_new
        else "import_changes x JOIN policies_contract c ON c.id = x.contract_id WHERE x.changed"
    )
    return {
        vendor
        for (vendor,) in fetch(
            f"""SELECT DISTINCT c.vendor_id FROM {written}
            AND c.editorial_status = 'published' AND c.vendor_id IS NOT NULL"""
        )
    }


_OUTCOME = """CASE WHEN w.is_new THEN 'imported' WHEN x.changed THEN 'updated' ELSE 'unchanged' END"""


def outcome_counts(half=None, params=None):
    """(outcome, rows) of the awards written or unchanged."""
    return fetch(
        f"""SELECT {_OUTCOME}, count(*) FROM import_work w
        LEFT JOIN import_changes x ON x.contract_id = w.contract_id
        WHERE {half_condition(half)} GROUP BY 1""",
        params if half is not None else None,
    )


def outcomes_sql(outcomes, half=None):
    """One row per written or unchanged award with one of `outcomes` (names), in file order."""
    pairs = ", ".join(f"x.old_{name}, x.new_{name}" for name, _, _ in CHANGES)
    wanted = ", ".join(f"'{name}'" for name in outcomes)
    return f"""SELECT w.part, w.line, w.award_key, w.is_new, coalesce(x.changed, false),
        w.vendor_id IS NULL, w.via, {pairs}
    FROM import_work w LEFT JOIN import_changes x ON x.contract_id = w.contract_id
    WHERE {_OUTCOME} IN ({wanted}) AND {half_condition(half)}
    ORDER BY w.part, w.line"""


TEMP_TABLES = (
    "import_raw",
    "import_stage",
    "import_rejected",
    "import_fixed",
    "import_dups",
    "import_parts",
    "import_agencies",
    "import_vendors",
    "import_work",
    "import_changes",
)


def drop_temp_tables():
    execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
