"""Write the committed contract `openapi.yaml` from the app, or check it has not drifted.

python -m api.openapi_export          # rewrite openapi.yaml
python -m api.openapi_export --check  # exit 1 if openapi.yaml differs from the app
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "openapi.yaml"


def current_spec() -> dict[str, Any]:
    from api.app import create_app
    from api.persistence.uow import Database
    from api.settings import Settings

    # The spec does not depend on data; an unmigrated throwaway database is never touched.
    with tempfile.TemporaryDirectory() as tmp:
        database = Database.from_url(f"sqlite:///{tmp}/spec.sqlite3")
        try:
            app = create_app(
                Settings(environment="development", sqlite_path=Path(tmp) / "x.sqlite3"),
                database=database,
            )
            return app.openapi()
        finally:
            database.dispose()


def render(spec: dict[str, Any]) -> str:
    return yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if openapi.yaml has drifted")
    args = parser.parse_args(argv)
    text = render(current_spec())
    if args.check:
        if not SPEC_PATH.exists() or SPEC_PATH.read_text(encoding="utf-8") != text:
            print("openapi.yaml is out of date: run `make openapi` and commit it", file=sys.stderr)
            return 1
        print("openapi.yaml is up to date")
        return 0
    SPEC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SPEC_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
