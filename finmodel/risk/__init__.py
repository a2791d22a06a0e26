"""Risk: how likely projects and bundles are to balance when their inputs are uncertain (Monte Carlo on Dask).

Names load with their module when first used: the project schema reads ``RiskSpec`` without loading the engine.
"""

from importlib import import_module

_WHERE = {
    "Correlation": "spec", "RiskInput": "spec", "RiskSpec": "spec",
    "correlation_matrix": "draws", "draw_inputs": "draws",
    "RiskResult": "montecarlo", "simulate": "montecarlo", "resolve": "montecarlo", "with_risk": "montecarlo",
    "with_formed_bundles": "montecarlo",
    "SensitivityResult": "tornado", "sensitivity": "tornado",
    "SweepResult": "grid", "sweep": "grid", "run_tasks": "cluster",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
