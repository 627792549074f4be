"""The errors any service may raise that a face shows to people as they are.

`ReadOnlyDatabase`: the SQLite file (or its folder) cannot be written.  Every engine
raises it at the first refused write, from any service, so a face catches it once
(it is an `OperationalError`, so handlers of database outages catch it too).
"""

from __future__ import annotations

from workbench.store.engine import ReadOnlyDatabase

__all__ = ["ReadOnlyDatabase"]
