"""Demand forecasts: aggregate series under Filter + Scope (series.py), exponential smoothing
chosen per series by AICc (model.py, statsmodels' ETSModel), a rolling-origin backtest against
seasonal naive (backtest.py, accuracy.py), levels that add up (compute.py), computed ahead and
kept per data version and scope (ahead.py), and demand for the inventory page (demand.py)."""
