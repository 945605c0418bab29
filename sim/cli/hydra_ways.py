"""Two places where ``orgsim`` changes how Hydra's own machinery behaves in its process: what
``--hydra-help`` lists, and Hydra's extra composition before a run (see each function)."""

from __future__ import annotations

# Groups in conf/ that configure other commands (orgsim-calibrate, -search, -sensitivity,
# -discover), not a run; and the designs' schemas, which conf/org/<design>.yaml builds on.
NOT_CHOICES = ("calibration", "search", "space")


def help_lists_only_choices() -> None:
    """Hydra's own page (``--hydra-help``) lists the options a user can choose: not the
    schemas the design files start from (``traditional_schema``) nor other commands' groups."""
    from hydra._internal.hydra import Hydra

    def format_config_groups(self, predicate, compact: bool = True) -> str:
        lines = []
        for group in sorted(g for g in self.list_all_config_groups()
                            if predicate(g) and g.split("/")[0] not in NOT_CHOICES):
            options = sorted(o for o in self.config_loader.get_group_options(group)
                             if not o.endswith("_schema"))
            lines.append(f"{group}: {', '.join(options)}" if compact else
                         f"{group}:\n" + "\n".join(f"  {o}" for o in options))
        return "\n".join(lines)

    Hydra.format_config_groups = format_config_groups


def mode_without_composing() -> None:
    """Hydra composes the whole configuration once more before a run only to read ``hydra.mode``
    (run or sweep), which only an override sets: conf/ leaves it unset and a scenario file may
    not touch Hydra. Without such an override the answer is "unset" (Hydra then runs what it
    was asked, as before) and orgsim, which has just composed these overrides, skips that."""
    from hydra._internal.hydra import Hydra

    compose = getattr(Hydra.get_mode, "composes", Hydra.get_mode)

    def get_mode(self, config_name, overrides):
        if any(o.lstrip("+~").startswith("hydra.mode") for o in overrides):
            return compose(self, config_name, overrides)
        return None

    get_mode.composes = compose
    Hydra.get_mode = get_mode
