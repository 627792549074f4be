"""Screen labels for the code lists: the tables live in `workbench.domain.code_labels`,
shared with the CLI's tables; this module keeps the names the screens import."""

from __future__ import annotations

from workbench.domain.code_labels import CHANNELS, OUTCOMES, RULES, STATES, WEEKDAYS

__all__ = ["CHANNELS", "OUTCOMES", "RULES", "STATES", "WEEKDAYS"]
