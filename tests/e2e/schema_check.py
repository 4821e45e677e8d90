#!/usr/bin/env python3
"""schema_check.py NAME FILE... — validate each JSON FILE against
docs/schema/NAME.json (JSON Schema 2020-12, python3-jsonschema); exit 1
naming the file, the member and the rule broken. NAME may end in .json."""
import json
import os
import sys

import jsonschema


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    name = sys.argv[1].removesuffix(".json")
    with open(os.path.join(top, "docs", "schema", name + ".json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in err.absolute_path) or "(top)"
            print(f"{path}: {where}: {err.message} (schema {name}.json)", file=sys.stderr)
            bad += 1
    sys.exit(1 if bad else 0)


main()
