"""The two worlds (N=10 and N=1000), built once and reused, and throwaway copies for writers.

With DATABASE_URL set (PostgreSQL) each world is its own database on that server, named by
BENCH_SMALL_DB / BENCH_BIG_DB; otherwise each is an SQLite file under var/bench/.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
SEED = 1


@dataclass
class World:
    name: str
    companies: int
    url: str

    @property
    def is_postgres(self):
        return self.url.startswith(("postgres://", "postgresql://"))


def worlds(small=10, big=1000):
    base = os.environ.get("DATABASE_URL", "")
    names = {
        "small": os.environ.get("BENCH_SMALL_DB", "tracker_bench_small"),
        "big": os.environ.get("BENCH_BIG_DB", "tracker_bench_big"),
    }
    sizes = {"small": small, "big": big}
    found = []
    for label in ("small", "big"):
        if base.startswith(("postgres://", "postgresql://")):
            url = _with_database(base, names[label])
        else:
            (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{ROOT / 'var' / 'bench' / (names[label] + '.sqlite3')}"
        found.append(World(label, sizes[label], url))
    return found


def _with_database(url, name):
    head, _, _ = url.rpartition("/")
    return f"{head}/{name}"


def django_env(url, **extra):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY="bench-only-" + "k" * 60,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DJANGO_SETTINGS_MODULE="bench.settings",
        LOG_LEVEL="ERROR",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(url, *args, check=True, **extra):
    return subprocess.run(
        [*MANAGE, *args], env=django_env(url, **extra), cwd=ROOT, check=check, capture_output=True, text=True
    )


def query(url, sql):
    """Rows of one SQL query on a world's database (for picking pages, not for timing)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(dj_database_url.parse(url)["NAME"]) as conn:
            return conn.execute(sql).fetchall()
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def _libpq(url):
    return url.replace("postgres://", "postgresql://", 1)


def _admin(url, sql):
    with psycopg.connect(_libpq(_with_database(url, "postgres")), autocommit=True) as conn:
        conn.execute(sql)


def _exists(world):
    if not world.is_postgres:
        return Path(dj_database_url.parse(world.url)["NAME"]).exists()
    name = world.url.rpartition("/")[2]
    with psycopg.connect(_libpq(_with_database(world.url, "postgres")), autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def drop(world):
    if world.is_postgres:
        _admin(world.url, f'DROP DATABASE IF EXISTS "{world.url.rpartition("/")[2]}" WITH (FORCE)')
    else:
        Path(dj_database_url.parse(world.url)["NAME"]).unlink(missing_ok=True)


def _synthetic_companies(world):
    try:
        return query(world.url, "SELECT count(*) FROM policies_company WHERE slug LIKE 'example-cloud-%'")[0][
            0
        ]
    except Exception:  # noqa: BLE001 - no tables yet
        return None


def ensure(world, log):
    """Reuse the world when it holds the right number of companies; else build it afresh."""
    if _exists(world) and _synthetic_companies(world) == world.companies:
        manage(world.url, "migrate", "--noinput", "-v0")  # new migrations of the code under test
        log(f"reusing the {world.name} world (N={world.companies})")
        return False
    drop(world)
    if world.is_postgres:
        _admin(world.url, f'CREATE DATABASE "{world.url.rpartition("/")[2]}"')
    log(f"building the {world.name} world (N={world.companies}) ...")
    manage(world.url, "migrate", "--noinput", "-v0")
    result = manage(world.url, "generate_synthetic", "--companies", str(world.companies), "--seed", str(SEED))
    log("  " + result.stdout.splitlines()[0])
    return True


def scratch_copy(world, suffix="scratch"):
    """A throwaway copy of a world for commands that write (imports, detect_gaps)."""
    if world.is_postgres:
        name = world.url.rpartition("/")[2]
        copy = World(world.name, world.companies, _with_database(world.url, f"{name}_{suffix}"))
        drop(copy)
        _admin(world.url, f'CREATE DATABASE "{name}_{suffix}" TEMPLATE "{name}"')
        return copy
    source = dj_database_url.parse(world.url)["NAME"]
    target = source.replace(".sqlite3", f"_{suffix}.sqlite3")
    shutil.copyfile(source, target)
    return World(world.name, world.companies, f"sqlite:///{target}")
