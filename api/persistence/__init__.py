"""SQLAlchemy 2 rows, repositories (rows <-> domain objects) and the unit of work."""
