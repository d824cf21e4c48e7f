"""Use cases: open a unit of work, load through scoped repositories, call the domain, persist,
audit, commit explicitly."""
