"""Start the app's Solara server in place of this process (``python run.py app``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sim.errors import UserError

PAGE = Path(__file__).resolve().parent / "page.py"


def assets_installed() -> bool:
    """Solara fetches its front-end from a CDN unless this cache exists (make setup fills it)."""
    cache = Path(sys.prefix) / "share" / "solara" / "cdn" / ".packages"
    return cache.exists() or "SOLARA_ASSETS_PROXY_CACHE_DIR" in os.environ


def serve(host: str, port: int) -> int:
    """Replace this process with the Solara server on ``host:port`` (Ctrl-C stops it)."""
    if not assets_installed():
        raise UserError(
            "run.py app: Solara's front-end assets are not installed (the page would stay "
            "blank offline): run 'make setup' first"
        )
    env = {
        **os.environ,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        # A session whose tab went away without saying so (a crash, a lost network) ends
        # after this, and its background runs with it (Solara's default is a day).
        "SOLARA_KERNEL_CULL_TIMEOUT": os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT", "120s"),
    }
    print(f"finetune-hazards app: http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(PAGE),
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--production",
    ]
    os.execve(sys.executable, command, env)
    return 1  # not reached
