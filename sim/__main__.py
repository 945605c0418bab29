"""``python -m sim``: run the default scenario under the traditional and micro-enterprise designs
on the same seed and print the headline outcomes side by side."""

from __future__ import annotations

import pandas as pd

from sim import SimConfig, design_config, simulate


def main() -> None:
    rows = {d: simulate(SimConfig(org=design_config(d)), seed=0).headline()
            for d in ("traditional", "micro_enterprise")}
    table = pd.DataFrame(rows).drop(index=["design", "seed"])
    with pd.option_context("display.float_format", "{:.2f}".format, "display.width", 120):
        print(table.to_string())


if __name__ == "__main__":
    main()
