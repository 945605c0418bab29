"""Capabilities: the kinds of expertise a customer job can need.

A capability is an index into every skill vector and effort vector in the model. The three frontline
functions of a pharma affiliate each own one capability (sales → commercial, medical → medical,
market access → access); patient services and operations / digital sit with central experts
(head office in the traditional design, the shared platform in the micro-enterprise design).
"""

from __future__ import annotations

CAPABILITIES: tuple[str, ...] = (
    "commercial",
    "medical",
    "access",
    "patient_services",
    "operations",
)
N_CAPABILITIES = len(CAPABILITIES)
INDEX: dict[str, int] = {name: i for i, name in enumerate(CAPABILITIES)}

COMMERCIAL, MEDICAL, ACCESS, PATIENT_SERVICES, OPERATIONS = range(N_CAPABILITIES)
FRONTLINE_CAPABILITIES = (COMMERCIAL, MEDICAL, ACCESS)
CENTRAL_CAPABILITIES = (PATIENT_SERVICES, OPERATIONS)
