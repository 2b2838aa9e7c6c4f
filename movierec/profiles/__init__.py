"""People's rating profiles: the SQLite store, its schema, profile names and the ratings CSV they import and export."""
