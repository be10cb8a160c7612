"""The question's figure: Δ against intermediate-task examples per resource group, with the bootstrap band,
the fitted log-linear (dashed) and power-law (solid) curves and every task-language point (faint).
Deterministic like synth.report.figures (default style, fixed PNG metadata)."""

from __future__ import annotations

from pathlib import Path

from synth.report.figures import _figure, _save, _styled, _volume

GROUP_COLOURS = ["#c62828", "#ef6c00", "#1565c0", "#2e7d32", "#6a1b9a"]


def question_chart(analysis: dict, path: Path, title: str) -> None:
    """Draw one sweep's analysis (ScalingAnalysis.model_dump()) into `path`."""
    import numpy as np
    from matplotlib.ticker import NullLocator

    from synth.replicate.study.curve_fits import predict_loglinear, predict_power_law

    volumes = analysis["volumes"]
    dense = np.geomspace(min(volumes), max(volumes), 80)

    def draw() -> None:
        fig = _figure(6.4, 4.2)
        ax = fig.add_subplot()
        for k, g in enumerate(analysis["groups"]):
            colour = GROUP_COLOURS[k % len(GROUP_COLOURS)]
            name = g["group"].replace("_", " ")
            xs = [p["examples"] for p in g["points"]]
            ax.fill_between(xs, [p["delta"]["low"] for p in g["points"]], [p["delta"]["high"] for p in g["points"]],
                            color=colour, alpha=0.15, linewidth=0)
            ax.plot(xs, [p["delta"]["estimate"] for p in g["points"]], "o", color=colour,
                    label=f"{name} ({len(g['units'])} pairs)")
            if g["loglinear"]:
                ll = g["loglinear"]
                ax.plot(dense, predict_loglinear(ll["intercept"]["estimate"], ll["slope"]["estimate"], dense), "--",
                        color=colour, linewidth=1)
            if g["power_law"] and g["power_law"]["identified"]:  # an unidentified power law is the line again
                pw = g["power_law"]
                ax.plot(dense, predict_power_law(pw["asymptote"]["estimate"], pw["scale"]["estimate"],
                                                 pw["alpha"]["estimate"], dense), "-", color=colour, linewidth=1)
            for p in analysis["languages"]:
                if p["group"] == g["group"]:
                    pts = sorted((int(n), d) for n, d in p["deltas"].items())
                    ax.plot([n * (1 + 0.04 * (k - 1)) for n, _ in pts], [d for _, d in pts], ".", color=colour,
                            alpha=0.25, markersize=3)
        ax.set_xscale("log")
        ax.set_xticks(volumes, [_volume(n) for n in volumes])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.axhline(0.0, color="#9e9e9e", linewidth=0.8)
        ax.set_xlabel(f"{analysis['intermediate']} training examples (log scale)")
        ax.set_ylabel("Δ vs no intermediate task (points)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8, title=f"band: {analysis['level']:.0%} bootstrap; -- log-linear, — power law (where identified)",
                  title_fontsize=7)
        _save(fig, path)

    _styled(draw)


def question_seeds_chart(target: dict, intermediate: str, level: float, path: Path, title: str) -> None:
    """Draw one target of a seed-level analysis (TargetAnalysis.model_dump()): each group's mean Δ per volume with
    its t-interval over seeds as error bars."""
    from matplotlib.ticker import NullLocator

    volumes = target["volumes"]

    def draw() -> None:
        fig = _figure(6.4, 4.2)
        ax = fig.add_subplot()
        for k, g in enumerate(target["groups"]):
            colour = GROUP_COLOURS[k % len(GROUP_COLOURS)]
            xs = [p["examples"] * (1 + 0.03 * (k - 0.5)) for p in g["points"]]
            ys = [p["delta"]["estimate"] for p in g["points"]]
            err = [[y - p["delta"]["low"] for y, p in zip(ys, g["points"])],
                   [p["delta"]["high"] - y for y, p in zip(ys, g["points"])]]
            s = g["slope"]
            ax.errorbar(xs, ys, yerr=err, fmt="o-", color=colour, capsize=3, linewidth=1,
                        label=f"{g['group'].replace('_', ' ')} ({len(g['languages'])} languages; slope "
                              f"{s['estimate']:+.2f} per tenfold)")
        ax.set_xscale("log")
        ax.set_xticks(volumes, [_volume(n) for n in volumes])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.axhline(0.0, color="#9e9e9e", linewidth=0.8)
        ax.set_xlabel(f"{intermediate} training examples (log scale)")
        ax.set_ylabel(f"Δ vs no intermediate task ({target['target']}, points)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8, title=f"bars: {level:.0%} t-interval over seeds", title_fontsize=7)
        _save(fig, path)

    _styled(draw)
