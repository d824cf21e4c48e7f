"""Security primitives: token signing and verification, password hashing, login throttling.

These modules hold no web-framework code, so they can be tested without a database or an app.
"""
