"""People: schools, members and their accounts, pairings, assignments, rosters and groups."""
