"""Pure domain of Level Up: programmes, the enrolment state machine and outcome rules.

Nothing in this package may import a web framework, an ORM, pydantic or jose; a test enforces it
so the rules stay testable without a database and reusable by any adapter.
"""
