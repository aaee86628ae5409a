"""``python -m minidl.demo``: run the demo; exit with status 1 if a checkpoint did not reload faithfully."""
import sys

from .cli import main

if __name__ == "__main__":
    results = main()
    sys.exit(0 if all(result["reload_ok"] for result in results.values()) else 1)
