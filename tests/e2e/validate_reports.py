#!/usr/bin/python3
"""Validates every regscan scan report found in a directory.

usage: validate_reports.py DIR

  <stem>-report.json       against tests/fixtures/schemas/regscan-report.schema.json
  <stem>-report.sarif      against the SARIF 2.1.0 schema
  <stem>-report.cdx.json   against the CycloneDX 1.5 schema (with its spdx and jsf schemas)
  <stem>-report.spdx.json  against the SPDX 2.3 JSON schema
  (and the per-image files: *.sarif, *.cdx.json, *.spdx.json)
  <stem>-vulnerabilities.csv, <stem>-misconfigurations.csv   header and column count of every row
  <stem>-malware.csv       header, column count and verdict of every row

plus the rules the schemas cannot state (rule indexes, unique bom-refs,
references that resolve). Prints each failure as FILE: PATH: MESSAGE and
exits 1 when any report fails or none is found.

Runs on Debian's python3-jsonschema and python3-rfc3987 (/usr/bin/python3).
"""

import csv
import datetime
import json
import pathlib
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_reports.py: python3-jsonschema is not installed (apt-get install python3-jsonschema)")

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "schemas"


def _patch_extras_msg():
    """Debian's jsonschema sorts the extra items to name them in an additionalItems message and fails
    on objects (CycloneDX's licenses: a valid list of several license objects is tried against the
    one-expression branch too): name them unsorted instead."""
    from jsonschema import _utils, _validators
    original = _utils.extras_msg

    def extras_msg(extras):
        try:
            return original(extras)
        except TypeError:
            return ", ".join(repr(extra) for extra in extras), "was" if len(extras) == 1 else "were"

    _utils.extras_msg = extras_msg
    if hasattr(_validators, "extras_msg"):
        _validators.extras_msg = extras_msg


_patch_extras_msg()

VULNERABILITY_COLUMNS = ["registry", "repository", "tag", "digest", "platform", "package", "version", "ecosystem",
                         "vulnerability", "aliases", "severity", "cvss", "fixed_version", "summary",
                         "source_package", "status"]
STATUSES = {"fixed", "affected", "will_not_fix", "fix_deferred", "end_of_life", "under_investigation"}
MISCONFIGURATION_COLUMNS = ["registry", "repository", "tag", "digest", "id", "severity", "title", "location", "detail"]
MALWARE_COLUMNS = ["registry", "repository", "tag", "digest", "platform", "verdict", "path", "layer_digest",
                   "in_final_filesystem", "engine", "signature", "sha256", "reason"]
VERDICTS = {"not_scanned", "clean", "found", "incomplete"}
SEVERITIES = {"critical", "high", "medium", "low", "unknown"}
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "unknown": "note"}

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_checker():
    checker = jsonschema.FormatChecker()
    # jsonschema checks date-time only with rfc3339-validator, which Debian
    # does not package: RFC 3339's grammar plus a real calendar date.
    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value):
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            raise ValueError("not an RFC 3339 date-time")
        datetime.datetime.fromisoformat(value[:19])
        return True

    missing = {"uri", "uri-reference", "iri-reference"} - set(checker.checkers)
    if missing:
        sys.exit("validate_reports.py: cannot check formats %s: install python3-rfc3987" % sorted(missing))
    return checker


def load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def json_path(error):
    return "$" + "".join("[%d]" % p if isinstance(p, int) else "." + str(p) for p in error.absolute_path)


def schema_errors(document, schema, store=None):
    validator_class = jsonschema.validators.validator_for(schema)
    resolver = jsonschema.RefResolver.from_schema(schema, store=store or {})
    validator = validator_class(schema, resolver=resolver, format_checker=format_checker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return ["%s: %s" % (json_path(e), e.message[:400]) for e in errors]


def check_json_report(path):
    document = load_json(path)
    problems = schema_errors(document, load_json(SCHEMAS / "regscan-report.schema.json"))
    return problems


def check_sarif(path):
    document = load_json(path)
    problems = schema_errors(document, load_json(SCHEMAS / "sarif-schema-2.1.0.json"))
    if problems:
        return problems
    for r, run in enumerate(document["runs"]):
        rules = run["tool"]["driver"].get("rules", [])
        ids = [rule["id"] for rule in rules]
        if len(ids) != len(set(ids)):
            problems.append("$.runs[%d].tool.driver.rules: rule ids are not unique" % r)
        for i, rule in enumerate(rules):
            score = rule.get("properties", {}).get("security-severity")
            if score is not None and not (isinstance(score, str) and 0.0 <= float(score) <= 10.0):
                problems.append("$.runs[%d].tool.driver.rules[%d].properties.security-severity: %r is not a "
                                "score from 0 to 10 as a string" % (r, i, score))
        fingerprints = set()
        for i, result in enumerate(run.get("results", [])):
            where = "$.runs[%d].results[%d]" % (r, i)
            index = result.get("ruleIndex")
            if result.get("ruleId") not in ids:
                problems.append("%s.ruleId: %r names no rule" % (where, result.get("ruleId")))
            elif index is None or index >= len(ids) or ids[index] != result["ruleId"]:
                problems.append("%s.ruleIndex: %r is not the index of rule %r" % (where, index, result["ruleId"]))
            if not result.get("locations"):
                problems.append("%s.locations: a result needs a location" % where)
            severity = result.get("properties", {}).get("severity")
            if severity in SARIF_LEVEL and result.get("level") != SARIF_LEVEL[severity]:
                problems.append("%s.level: %r for severity %r" % (where, result.get("level"), severity))
            fingerprint = json.dumps(result.get("partialFingerprints"), sort_keys=True)
            if not result.get("partialFingerprints"):
                problems.append("%s.partialFingerprints: missing" % where)
            elif fingerprint in fingerprints:
                problems.append("%s.partialFingerprints: same as an earlier result's" % where)
            fingerprints.add(fingerprint)
    return problems


def cyclonedx_store():
    store = {}
    for name in ("bom-1.5.SNAPSHOT.schema.json", "spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
        schema = load_json(SCHEMAS / name)
        store[schema["$id"]] = schema
        # bom-1.5 refers to its neighbours by file name, relative to its $id.
        store["http://cyclonedx.org/schema/" + name] = schema
    return store


def bom_refs(node, path, found):
    if isinstance(node, dict):
        if "bom-ref" in node:
            found.append((node["bom-ref"], path))
        for key, value in node.items():
            bom_refs(value, "%s.%s" % (path, key), found)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            bom_refs(value, "%s[%d]" % (path, i), found)


def check_cyclonedx(path):
    document = load_json(path)
    store = cyclonedx_store()
    problems = schema_errors(document, store["http://cyclonedx.org/schema/bom-1.5.schema.json"], store)
    if problems:
        return problems
    if document.get("specVersion") != "1.5":
        problems.append("$.specVersion: %r is not 1.5" % document.get("specVersion"))
    if not re.match(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                    document.get("serialNumber", "")):
        problems.append("$.serialNumber: %r is not a random (v4) UUID URN" % document.get("serialNumber"))
    found = []
    bom_refs(document, "$", found)
    seen = {}
    for ref, where in found:
        if ref in seen:
            problems.append("%s.bom-ref: %r is also the bom-ref of %s" % (where, ref, seen[ref]))
        seen.setdefault(ref, where)
    dependency_refs = set()
    for d, dependency in enumerate(document.get("dependencies", [])):
        if dependency["ref"] in dependency_refs:
            problems.append("$.dependencies[%d].ref: %r is listed twice" % (d, dependency["ref"]))
        dependency_refs.add(dependency["ref"])
        for target in [dependency["ref"]] + dependency.get("dependsOn", []):
            if target not in seen:
                problems.append("$.dependencies[%d]: %r names no bom-ref" % (d, target))
    for v, vulnerability in enumerate(document.get("vulnerabilities", [])):
        for a, affect in enumerate(vulnerability.get("affects", [])):
            if affect["ref"] not in seen:
                problems.append("$.vulnerabilities[%d].affects[%d].ref: %r names no bom-ref" % (v, a, affect["ref"]))
    return problems


SPDX_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+-]+")


def spdx_expression_problems(expression, known, refs):
    """What in a license expression is neither an operator, a known id nor a declared LicenseRef."""
    if expression in ("NOASSERTION", "NONE"):
        return []
    problems = []
    for token in SPDX_TOKEN.findall(expression):
        if token in ("(", ")", "AND", "OR", "WITH"):
            continue
        if token.startswith("LicenseRef-"):
            if token not in refs:
                problems.append("%s is not in hasExtractedLicensingInfos" % token)
        elif token not in known:
            problems.append("%s is not an SPDX license or exception id" % token)
    return problems


def check_spdx(path):
    document = load_json(path)
    schema = SCHEMAS / "spdx-schema-2.3.json"
    problems = schema_errors(document, load_json(schema))
    if problems:
        return problems
    if document.get("spdxVersion") != "SPDX-2.3" or document.get("dataLicense") != "CC0-1.0":
        problems.append("$: spdxVersion %r / dataLicense %r" % (document.get("spdxVersion"), document.get("dataLicense")))
    ids = {"SPDXRef-DOCUMENT"}
    for p, package in enumerate(document.get("packages", [])):
        if package["SPDXID"] in ids:
            problems.append("$.packages[%d].SPDXID: %r is not unique" % (p, package["SPDXID"]))
        ids.add(package["SPDXID"])
    known = set(load_json(SCHEMAS / "spdx.SNAPSHOT.schema.json")["enum"])
    refs = {info["licenseId"] for info in document.get("hasExtractedLicensingInfos", [])}
    for p, package in enumerate(document.get("packages", [])):
        for field in ("licenseDeclared", "licenseConcluded"):
            for problem in spdx_expression_problems(package.get(field, "NOASSERTION"), known, refs):
                problems.append("$.packages[%d].%s: %s" % (p, field, problem))
    for r, relationship in enumerate(document.get("relationships", [])):
        for key in ("spdxElementId", "relatedSpdxElement"):
            if relationship[key] not in ids:
                problems.append("$.relationships[%d].%s: %r names no element" % (r, key, relationship[key]))
    if not any(r["relationshipType"] == "DESCRIBES" and r["spdxElementId"] == "SPDXRef-DOCUMENT"
               for r in document.get("relationships", [])) and document.get("packages"):
        problems.append("$.relationships: the document DESCRIBES nothing")
    return problems


def check_csv(path, columns, kind="severity", allowed=None):
    allowed = SEVERITIES if allowed is None else allowed
    problems = []
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows or rows[0] != columns:
        return ["line 1: header %r, expected %r" % (rows[0] if rows else None, columns)]
    column = columns.index(kind)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(columns):
            problems.append("line %d: %d fields, expected %d" % (number, len(row), len(columns)))
        elif row[column] not in allowed:
            problems.append("line %d: %s %r" % (number, kind, row[column]))
    return problems


CHECKS = [
    ("*.sarif", check_sarif),
    ("*.cdx.json", check_cyclonedx),
    ("*.spdx.json", check_spdx),
    ("*-vulnerabilities.csv",
     lambda p: check_csv(p, VULNERABILITY_COLUMNS) + check_csv(p, VULNERABILITY_COLUMNS, "status", STATUSES)),
    ("*-misconfigurations.csv", lambda p: check_csv(p, MISCONFIGURATION_COLUMNS)),
    ("*-malware.csv", lambda p: check_csv(p, MALWARE_COLUMNS, "verdict", VERDICTS)),
    ("*-report.json", check_json_report),
]


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    directory = pathlib.Path(argv[1])
    checked = 0
    failed = 0
    for pattern, check in CHECKS:
        for path in sorted(directory.glob(pattern)):
            checked += 1
            try:
                problems = check(path)
            except (ValueError, OSError, KeyError, TypeError) as error:
                problems = ["cannot read: %s" % error]
            if problems:
                failed += 1
                for problem in problems[:25]:
                    print("%s: %s" % (path, problem))
                if len(problems) > 25:
                    print("%s: ... and %d more" % (path, len(problems) - 25))
            else:
                print("%s: valid" % path)
    if checked == 0:
        print("%s: no report found" % directory)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
