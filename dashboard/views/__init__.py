"""Saved views: a page state under a name, every save a new version, shared with a role.

`tables.py` (the two tables in the app database), `store.py` (save, list, history, restore,
who may see what), `content.py` (a view's query split into filters and chart options),
`diff.py` (two versions in words), `routes.py` (the form posts).
"""
