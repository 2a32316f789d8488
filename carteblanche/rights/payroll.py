"""Gross and taxable pay from the net pay a person knows, with OpenFisca-France's own payroll formulas.

Pure module (no Django import). People know their net pay (what reaches their account); OpenFisca
reads the taxable pay (`salaire_imposable`: housing aid, tax income, hence the chèque énergie,
ARS, school grants, AF/CF ceilings) and the net pay (`salaire_net`: RSA, PPA, CEJ). Both follow
from the gross pay `salaire_de_base` through OpenFisca's payroll (employee contributions, CSG,
CRDS). So the adapter solves `salaire_de_base` such that OpenFisca's `salaire_net` equals the
answer, and takes OpenFisca's `salaire_imposable` at that gross.

How: `salaire_net` is piecewise linear in `salaire_de_base` (rates, with kinks at multiples of
the monthly social-security ceiling). For each month, OpenFisca evaluates `salaire_net` and
`salaire_imposable` on a grid of gross pays in one vectorised simulation; the inverse is a linear
interpolation (exact between grid points; within a 1 € segment holding a kink the error is below
a cent up to 6,000 € gross). Months whose payroll is identical on a probe grid share one table
(the ceiling is monthly and February's differs, so the months of a year form a few groups). A
table costs one small simulation once per process; each amount is then a numpy interpolation.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Grid of gross monthly pay (EUR): 1 € steps where most pay lies, coarser above (piecewise linear).
GRID = np.unique(np.concatenate([np.arange(0, 6000, 1.0), np.arange(6000, 20000, 5.0), np.arange(20000, 160001, 50.0)]))
# A few hundred gross pays to tell months apart (same payroll on the probe -> same table).
PROBE = np.unique(np.concatenate([np.arange(0, 6000, 37.0), np.geomspace(6000, 160000, 120)]))


@dataclass(frozen=True)
class PayTable:
    gross: np.ndarray
    net: np.ndarray
    taxable: np.ndarray


_LOCK = threading.Lock()
_TABLES: dict[str, PayTable] = {}  # month -> table (months of one group share the object)
_BY_FINGERPRINT: dict[bytes, PayTable] = {}


def _simulation(tbs, n: int):
    from openfisca_core.simulation_builder import SimulationBuilder

    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", np.arange(n))
    roles = (("famille", "demandeur"), ("foyer_fiscal", "declarant_principal"), ("menage", "personne_de_reference"))
    for entity, role in roles:
        population = builder.declare_entity(entity, np.arange(n))
        builder.join_with_persons(population, np.arange(n), [role] * n)
    return builder.build(tbs)


def _payroll(tbs, gross: np.ndarray, months: Sequence[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    simulation = _simulation(tbs, len(gross))
    out = {}
    for month in months:
        simulation.set_input("salaire_de_base", month, gross)
        out[month] = (
            np.asarray(simulation.calculate("salaire_net", month), dtype=np.float64),
            np.asarray(simulation.calculate("salaire_imposable", month), dtype=np.float64),
        )
    return out


def prepare(tbs, months: Sequence[str]) -> None:
    """Build the tables of these months (once per process; later calls only add missing months)."""
    missing = [m for m in months if m not in _TABLES]
    if not missing:
        return
    with _LOCK:
        missing = [m for m in months if m not in _TABLES]
        if not missing:
            return
        probes = _payroll(tbs, PROBE, missing)
        groups: dict[bytes, list[str]] = {}
        for month in missing:
            net, taxable = probes[month]
            key = np.round(np.concatenate([net, taxable]), 4).tobytes()
            groups.setdefault(key, []).append(month)
        new = [key for key in groups if key not in _BY_FINGERPRINT]
        if new:
            tables = _payroll(tbs, GRID, [groups[key][0] for key in new])
            for key in new:
                net, taxable = tables[groups[key][0]]
                _BY_FINGERPRINT[key] = PayTable(GRID, net, taxable)
        for key, group in groups.items():
            for month in group:
                _TABLES[month] = _BY_FINGERPRINT[key]


def from_net(net: np.ndarray, month: str) -> tuple[np.ndarray, np.ndarray]:
    """(salaire_de_base, salaire_imposable) for these net pays in this month (table prepared)."""
    table = _TABLES[month]
    net = np.asarray(net, dtype=np.float64)
    gross = np.interp(net, table.net, table.gross)
    taxable = np.interp(gross, table.gross, table.taxable)
    return np.where(net > 0, gross, 0.0), np.where(net > 0, taxable, 0.0)


def clear() -> None:
    """Forget the tables (tests)."""
    with _LOCK:
        _TABLES.clear()
        _BY_FINGERPRINT.clear()
