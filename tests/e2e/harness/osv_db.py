"""A real OSV database for scan-mode tests: real records imported by `regscan db import`."""
import os
import shutil
import subprocess

SHARED = os.environ.get("REGSCAN_SHARED_DIR",
                        os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared"))


def make_db(workdir, pypi_records=("PYSEC-2018-28",)):
    """Imports `pypi_records` from ../shared/reference/osv/pypi; returns the database path."""
    records = os.path.join(workdir, "osv-records")
    os.makedirs(records, exist_ok=True)
    for record in pypi_records:
        shutil.copy(os.path.join(SHARED, "reference", "osv", "pypi", record + ".json"), records)
    db = os.path.join(workdir, "osv.db")
    imported = subprocess.run([os.environ["REGSCAN_BIN"], "db", "import", "--db", db, records],
                              capture_output=True, text=True, timeout=120)
    if imported.returncode != 0:
        raise RuntimeError(f"regscan db import failed: {imported.stderr}")
    return db


def report_json_path(output_dir, host):
    return os.path.join(output_dir, host.replace(".", "-").replace(":", "-") + "-report.json")
