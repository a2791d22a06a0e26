"""Funding modes (济政办字〔2020〕21号 五, "4+N"), 以奖代补 rewards and the bundling optimiser, on the cash-flow engine.

The modes' schema (``modes/scenario.py``) is part of a projects scenario, which the cash-flow engine loads; the
engine here needs the cash-flow engine. So this package imports its engine when a name of it is first used, and
loading a scenario does not pull in the engine that runs on its result.
"""

from __future__ import annotations

from importlib import import_module

_WHERE = {
    "BundlingResult": "check", "ModesResult": "check", "check_modes": "check",
    "BundlingProblem": "bundling", "solve_bundling": "bundling",
    "funding_stack": "stack", "public_money_checks": "stack", "rule_checks": "stack",
    "transfer_schedule": "transfers",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
