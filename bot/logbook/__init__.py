"""The log book: entries and their drafts, the dates and durations people type, records and problems."""
