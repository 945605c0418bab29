"""Territories: placing people in regions and giving them accounts to cover.

Shared by all designs so that, for one seed, the same person works in the same region whatever the
design, and coverage is split the same way whenever two designs both split it.
"""

from __future__ import annotations

from sim.engine.staff import AccessManager, MedicalLiaison, PlatformExpert, SalesRep

FRONTLINE_FUNCTIONS = ("sales", "medical", "access")
CENTRAL_FUNCTIONS = ("patient_services", "operations")
AGENT_CLASS = {
    "sales": SalesRep,
    "medical": MedicalLiaison,
    "access": AccessManager,
    "patient_services": PlatformExpert,
    "operations": PlatformExpert,
}


def incumbents(model) -> dict[str, list]:
    """The people on the payroll at launch, by function (identical for every design)."""
    s = model.config.staffing
    counts = {
        "sales": s.reps,
        "medical": s.msls,
        "access": s.access,
        "patient_services": s.patient_services_experts,
        "operations": s.operations_experts,
    }
    return {f: model.people.incumbents(f, counts[f]) for f in (*FRONTLINE_FUNCTIONS,
                                                               *CENTRAL_FUNCTIONS)}


def create_staff(model, people: dict[str, list]) -> tuple[list, list]:
    """Create a position per person; frontline people get regions round-robin, or as an
    organisation file places them (sim/engine/org_file.py).

    Returns (frontline agents, central experts).
    """
    from sim.engine.org_file import frontline_regions

    placed = frontline_regions(model.config) or {}  # an organisation file's regions, if any
    frontline, central = [], []
    for function in FRONTLINE_FUNCTIONS:
        where = placed.get(function)
        for i, person in enumerate(people.get(function, [])):
            agent = AGENT_CLASS[function](model, person)
            agent.region = where[i % len(where)] if where else i % model.market.n_regions
            frontline.append(agent)
    for function in CENTRAL_FUNCTIONS:
        for person in people.get(function, []):
            central.append(AGENT_CLASS[function](model, person))
    return frontline, central


def accounts_by_region(model, accounts: list[int]) -> dict[int, list[int]]:
    """Accounts per region, largest first."""
    patients = model.market.patients
    out: dict[int, list[int]] = {}
    for a in sorted(accounts, key=lambda a: (-patients[a], a)):
        out.setdefault(int(model.market.region[a]), []).append(a)
    return out


def cover(accounts: list[int], members: list) -> None:
    """Split ``accounts`` among ``members`` (each account covered by at least one member).

    With fewer members than accounts, accounts are dealt round-robin (largest first); with more
    members than accounts, members are dealt round-robin over the accounts.
    """
    if not accounts or not members:
        return
    if len(members) <= len(accounts):
        for i, a in enumerate(accounts):
            members[i % len(members)].accounts.append(a)
    else:
        for i, m in enumerate(members):
            m.accounts.append(accounts[i % len(accounts)])
