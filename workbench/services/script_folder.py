"""Where the talk-script files are: the one place every reader of the library asks."""

from __future__ import annotations

from pathlib import Path

from workbench.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def scripts_root(settings: Settings) -> Path:
    """The configured folder; a relative one missing here falls back to the checkout's."""
    root = Path(settings.talkscripts_dir)
    if not root.is_absolute() and not root.is_dir() and (REPO_ROOT / root).is_dir():
        return REPO_ROOT / root
    return root
