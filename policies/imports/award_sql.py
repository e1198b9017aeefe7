"""The set-based SQL of the PostgreSQL award-summary import (see `staged.py`).

Every statement works on temporary tables `staged.py` fills: `import_stage` (one text row
per CSV record), `import_keys` (every readable key, numbered within the download),
`import_parts` (file name and history reason of each part), `import_agencies` and
`import_vendors` (the few distinct agencies and recipients, resolved in Python), then
`import_work` (one typed row per award to write) and `import_changes` (the awards that
exist already, old and new values side by side). History rows are written by the same
statement as the rows they record (`WITH ... RETURNING *`). Parameters are named
(`%(now)s`).
"""

from django.db import connection

from .rows import TITLE_LENGTH

# An ISO date that is certainly real (29-31 are checked against the month's length).
_DATE_OK = """CASE WHEN {v} = '' THEN true
    WHEN {v} ~ '^[1-9][0-9]{{3}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$' THEN
        substr({v}, 9, 2)::int <= extract(day from make_date(substr({v}, 1, 4)::int,
            substr({v}, 6, 2)::int, 1) + interval '1 month - 1 day')
    ELSE false END"""
_AMOUNT_OK = "{v} ~ '^([0-9]{{1,14}}(\\.[0-9]{{1,2}})?)?$'"
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
WORK_MEM = "64MB"  # for the import's sorts and hashes (the session's setting is restored after)
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


def execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stage_raw(part, columns, staged, whitespace, line_breaks):
    """Copy the used columns of `import_raw` (the file as COPY read it) into `import_stage`.

    Values are stripped as Python's str.strip() does (btrim with that character set is
    slow, so only in rows where some used value starts or ends with such a character: one
    regular expression per row finds them), and the title is `rows.award_title`. Record n
    (numbered by COPY, in the file's order) is on the file's line n + 1. `OFFSET 0` keeps
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
        f"""INSERT INTO import_stage (part, line, title, {", ".join(staged)})
        SELECT %(part)s, line, CASE WHEN char_length(t) <= %(title_length)s THEN t
            ELSE left(t, %(title_length)s - 1) || '…' END, {", ".join(staged)}
        FROM (SELECT v.*, CASE WHEN description = '' THEN 'Award ' || piid
                ELSE piid || ' — ' || substring(description from %(first_line)s) END AS t
            FROM (SELECT line, {values} FROM (
                SELECT 1 + n AS line, {raw}, ({joined}) ~ %(pad)s AS pad FROM import_raw OFFSET 0) r
            OFFSET 0) v OFFSET 0) x""",
        {
            "part": part,
            "ws": whitespace,
            "pad": f"(^|\\x01){space}|{space}(\\x01|$)",
            "first_line": f"^[^{line_breaks}]*",
            "title_length": TITLE_LENGTH,
        },
    )


def _regex_char(char):
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def keys_and_plan():
    """Number every readable key, then type the rows to write and match existing contracts."""
    execute(
        """CREATE TEMP TABLE import_keys AS
        SELECT s.part, s.line, s.award_key, r.line IS NOT NULL AS rejected,
            row_number() OVER w AS n, first_value(s.part) OVER w AS first_part,
            first_value(s.line) OVER w AS first_line
        FROM import_stage s LEFT JOIN import_rejected r USING (part, line)
        WHERE s.award_key <> '' AND char_length(s.award_key) <= 300
        WINDOW w AS (PARTITION BY s.award_key ORDER BY s.part, s.line)"""
    )
    execute(
        """CREATE TEMP TABLE import_plan AS
        SELECT s.part, s.line, s.award_key, s.piid, s.title, s.description,
            s.agency_code, s.agency_name, s.sub_agency_code, s.sub_agency_name,
            s.recipient_name, s.recipient_uei, s.recipient_duns, s.parent_name, s.parent_uei, s.parent_duns,
            nullif(coalesce(f.amount, s.amount), '')::numeric(16, 2) AS amount,
            nullif(coalesce(f.potential_amount, s.potential_amount), '')::numeric(16, 2) AS potential_amount,
            nullif(coalesce(f.started_on, s.started_on), '')::date AS started_on,
            nullif(coalesce(f.ended_on, s.ended_on), '')::date AS ended_on,
            coalesce(nullif(coalesce(f.latest_action_on, s.latest_action_on), '')::date,
                nullif(coalesce(f.started_on, s.started_on), '')::date) AS scope_date
        FROM import_keys k JOIN import_stage s USING (part, line)
            LEFT JOIN import_fixed f USING (part, line)
        WHERE k.n = 1 AND NOT k.rejected"""
    )


def duplicates():
    """(part, line, key, first part, first line) of valid rows whose key came earlier."""
    return fetch(
        """SELECT part, line, award_key, first_part, first_line FROM import_keys
        WHERE n > 1 AND NOT rejected ORDER BY part, line"""
    )


def distinct_agencies():
    return fetch(
        """SELECT agency_code, agency_name, sub_agency_code, sub_agency_name, min(ARRAY[part, line])
        FROM import_plan GROUP BY 1, 2, 3, 4 ORDER BY min(ARRAY[part, line])"""
    )


def distinct_recipients():
    """Each distinct recipient and parent, with its row count and first (part, line)."""
    return fetch(
        f"""SELECT p.recipient_name, p.recipient_uei, p.recipient_duns, p.parent_name, p.parent_uei,
            p.parent_duns, count(*), min(ARRAY[p.part, p.line])
        FROM import_plan p {_AGENCY_JOIN} WHERE a.agency_id IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY min(ARRAY[p.part, p.line])"""
    )


def scope():
    """The scope codes and the first and last scope dates of the rows to write."""
    ((codes, first, last),) = fetch(
        """SELECT array_agg(DISTINCT coalesce(nullif(sub_agency_code, ''), nullif(agency_code, ''),
            nullif(sub_agency_name, ''), agency_name)), min(scope_date), max(scope_date)
        FROM import_plan"""
    )
    return set(codes or ()), first, last


_AGENCY_JOIN = """JOIN import_agencies a
    ON (a.agency_code, a.agency_name, a.sub_agency_code, a.sub_agency_name)
    = (p.agency_code, p.agency_name, p.sub_agency_code, p.sub_agency_name)"""
_VENDOR_JOIN = """JOIN import_vendors v ON (v.recipient_name, v.recipient_uei, v.recipient_duns,
    v.parent_name, v.parent_uei, v.parent_duns) = (p.recipient_name, p.recipient_uei, p.recipient_duns,
    p.parent_name, p.parent_uei, p.parent_duns)"""


def agency_failures():
    """(part, line, message) of rows whose agency could not be created."""
    return fetch(
        f"""SELECT p.part, p.line, a.error FROM import_plan p {_AGENCY_JOIN}
        WHERE a.agency_id IS NULL ORDER BY p.part, p.line"""
    )


def match_contracts():
    """`import_work`: the rows to write, with agency, vendor and contract (reserved id if new)."""
    execute(
        f"""CREATE TEMP TABLE import_work AS
        SELECT p.*, a.agency_id, v.vendor_id, v.via, c.id IS NULL AS is_new,
            coalesce(c.id, nextval(pg_get_serial_sequence('policies_contract', 'id'))) AS contract_id
        FROM import_plan p {_AGENCY_JOIN} {_VENDOR_JOIN}
            LEFT JOIN policies_contract c ON c.award_key = p.award_key AND c.award_key <> ''
        WHERE a.agency_id IS NOT NULL"""
    )


def compare_existing(params):
    changed = " OR ".join(f"c.{column} IS DISTINCT FROM ({new})" for _, column, new in CHANGES)
    olds = ", ".join(f"c.{column}::text AS old_{name}" for name, column, _ in CHANGES)
    news = ", ".join(f"({new})::text AS new_{name}" for name, _, new in CHANGES)
    execute(
        f"""CREATE TEMP TABLE import_changes AS
        SELECT w.part, w.line, w.contract_id, ({changed}) AS changed, {olds}, {news}
        FROM import_work w JOIN policies_contract c ON c.id = w.contract_id
        WHERE NOT w.is_new""",
        params,
    )
    execute("ANALYZE import_changes")


def _history_select(model, *, source, history_type):
    """Columns and SELECT list of a history row copied from `source` (a row of `model`)."""
    history = model.history.model
    own = {f.column for f in model._meta.concrete_fields}
    columns, select = [], []
    for f in history._meta.concrete_fields:
        if f.attname == "history_id":
            continue
        columns.append(connection.ops.quote_name(f.column))
        select.append(
            f"{source}.{connection.ops.quote_name(f.column)}"
            if f.column in own
            else {
                "history_date": "%(now)s::timestamptz",
                "history_change_reason": "p.reason",
                "history_type": f"'{history_type}'",
                "history_user_id": "%(user_id)s::int",
                "public_attribution": "%(attribution)s",
            }[f.column]
        )
    return history._meta.db_table, ", ".join(columns), ", ".join(select)


def _defaults(model, values, params):
    """Column list and SELECT list of an insert: `values` (SQL), other fields their defaults."""
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
    return ", ".join(columns), ", ".join(select)


def insert_contracts(model, params):
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
    columns, select = _defaults(model, values, params)
    table, history_columns, history_select = _history_select(model, source="ins", history_type="+")
    return execute(
        f"""WITH ins AS (
            INSERT INTO {model._meta.db_table} ({columns})
            SELECT {select} FROM import_work w WHERE w.is_new
            RETURNING *)
        INSERT INTO {table} ({history_columns})
        SELECT {history_select} FROM ins JOIN import_work w ON w.contract_id = ins.id
            JOIN import_parts p ON p.part = w.part""",
        params,
    )


def update_contracts(model, params):
    sets = ", ".join(f"{column} = ({new})" for _, column, new in CHANGES)
    table, history_columns, history_select = _history_select(model, source="upd", history_type="~")
    return execute(
        f"""WITH upd AS (
            UPDATE {model._meta.db_table} c SET {sets}, revision = c.revision + 1,
                updated_at = %(now)s::timestamptz
            FROM import_changes x JOIN import_work w USING (part, line)
            WHERE c.id = x.contract_id AND x.changed
            RETURNING c.*)
        INSERT INTO {table} ({history_columns})
        SELECT {history_select} FROM upd JOIN import_changes x ON x.contract_id = upd.id
            JOIN import_parts p ON p.part = x.part""",
        params,
    )


def insert_citations(model, params):
    """Cite the download for every contract written that does not cite it yet."""
    values = {
        "created_at": "%(now)s::timestamptz",
        "updated_at": "%(now)s::timestamptz",
        "object_id": "w.contract_id",
        "locator": "left(p.file || ', line ' || w.line, 200)",
        "content_type_id": "%(content_type_id)s",
        "source_id": "%(source_id)s",
    }
    columns, select = _defaults(model, values, params)
    table, history_columns, history_select = _history_select(model, source="ins", history_type="+")
    return execute(
        f"""WITH ins AS (
            INSERT INTO {model._meta.db_table} ({columns})
            SELECT {select} FROM import_work w JOIN import_parts p ON p.part = w.part
                LEFT JOIN import_changes x ON x.contract_id = w.contract_id
            WHERE w.is_new OR (x.changed AND NOT EXISTS (
                SELECT 1 FROM {model._meta.db_table} e WHERE e.source_id = %(source_id)s
                AND e.content_type_id = %(content_type_id)s AND e.object_id = w.contract_id))
            RETURNING *)
        INSERT INTO {table} ({history_columns})
        SELECT {history_select} FROM ins JOIN import_work w ON w.contract_id = ins.object_id
            JOIN import_parts p ON p.part = w.part""",
        params,
    )


def record_keys(run_id):
    """Every key seen (first occurrence), for duplicates and vanished records."""
    execute(
        """INSERT INTO policies_importrunrecord (run_id, key, file_name, line)
        SELECT %(run)s, k.award_key, left(p.file, 300), k.line
        FROM import_keys k JOIN import_parts p USING (part) WHERE k.n = 1""",
        {"run": run_id},
    )


def touched_vendors():
    """Vendors of the published contracts written (the gap rules read nothing else)."""
    return {
        vendor
        for (vendor,) in fetch(
            """SELECT DISTINCT c.vendor_id FROM import_work w
            LEFT JOIN import_changes x ON x.contract_id = w.contract_id
            JOIN policies_contract c ON c.id = w.contract_id
            WHERE (w.is_new OR x.changed) AND c.editorial_status = 'published'
                AND c.vendor_id IS NOT NULL"""
        )
    }


_OUTCOME = """CASE WHEN w.is_new THEN 'imported' WHEN x.changed THEN 'updated' ELSE 'unchanged' END"""


def outcome_counts():
    """(outcome, rows) of the awards written or unchanged."""
    return fetch(
        f"""SELECT {_OUTCOME}, count(*) FROM import_work w
        LEFT JOIN import_changes x ON x.contract_id = w.contract_id GROUP BY 1"""
    )


def outcomes_sql(outcomes):
    """One row per written or unchanged award with one of `outcomes` (names), in file order."""
    pairs = ", ".join(f"x.old_{name}, x.new_{name}" for name, _, _ in CHANGES)
    wanted = ", ".join(f"'{name}'" for name in outcomes)
    return f"""SELECT w.part, w.line, w.award_key, w.is_new, coalesce(x.changed, false),
        w.vendor_id IS NULL, w.via, {pairs}
    FROM import_work w LEFT JOIN import_changes x ON x.contract_id = w.contract_id
    WHERE {_OUTCOME} IN ({wanted})
    ORDER BY w.part, w.line"""


TEMP_TABLES = (
    "import_raw",
    "import_stage",
    "import_rejected",
    "import_fixed",
    "import_keys",
    "import_plan",
    "import_parts",
    "import_agencies",
    "import_vendors",
    "import_work",
    "import_changes",
)


def drop_temp_tables():
    execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
