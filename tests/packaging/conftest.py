"""The packaging recipe lives in packaging/ (run as scripts, not a package): its modules are imported
from that folder, like build.py imports its siblings."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.insert(0, str(PACKAGING))
