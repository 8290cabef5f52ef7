"""The kinds of place a member can be assigned to (``teachlog pair add --place``), as the plans name them.

A module of its own so that the CLI's help text can name them without loading the policy models.
"""

from __future__ import annotations

PLACE_KINDS: dict[str, str] = {
    "class": "班级", "branch": "党支部", "prep_group": "备课组", "village": "村", "contact_point": "联系点",
}
