"""What designs build from: the management hierarchy (functional lines under a general manager),
territories (people placed in regions, accounts to cover), micro-enterprise teams that own accounts,
and the platform of central experts. Each is used by more than one design.
"""
