"""`python -m bench.profile EMAIL PATH [REPEAT]`: a pyinstrument profile of one page served in process (production
settings, the bench database, the user logged in), written to bench/results/profiles/ as text and HTML."""

import re
import sys

from . import config, inprocess


def main() -> int:
    email, path = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    text, html = inprocess.profile(email, path, repeat=repeat)
    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "root"
    config.PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    header = f"pyinstrument profile of {repeat} requests of {path} as {email}\n\n"
    (config.PROFILE_DIR / f"{name}.txt").write_text(header + text)
    (config.PROFILE_DIR / f"{name}.html").write_text(html)
    print(header + text)
    print(f"written to {config.PROFILE_DIR.relative_to(config.ROOT)}/{name}.txt and .html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
