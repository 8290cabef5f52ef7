"""Reports: what /report, exports and charts show about a member or a school."""
