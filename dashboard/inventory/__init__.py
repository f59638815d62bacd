"""Inventory: stock on hand (warehouse snapshots plus movements recorded in the app), reorder
arithmetic, alerts and draft purchase orders, all within the viewer's Scope."""
