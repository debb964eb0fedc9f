"""Limits on what the readers accept, checked before any work starts.

Each is a module attribute with a default that suits any real model; a caller who needs
more raises it (``negotiation.limits.MAX_FILE_BYTES = 200 * 2**20``).  A file or document
over a limit is refused with one line naming the file, the limit and how to raise it.
"""

from __future__ import annotations

MAX_FILE_BYTES = 16 * 2**20
"""Largest scenario, coding-sheet or Gambit file read, in bytes (16 MiB)."""

MAX_YAML_DEPTH = 64
"""Deepest nesting of mappings and sequences in a YAML file."""
