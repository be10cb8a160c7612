"""Report figures (matplotlib, Agg, no pyplot state): deterministic PNGs — same data, same bytes.

Determinism: the default style is forced (a user's matplotlibrc cannot change the output), the PNG
metadata is fixed (no timestamp, no library version string), and every input is sorted by the caller.
"""

from __future__ import annotations

from pathlib import Path

from synth.core.files import atomic_open

# label -> colour; also fixes the bar order of the verdict chart
VERDICT_COLOURS = {
    "supported": "#2e7d32",
    "partially_supported": "#9ccc65",
    "replicated": "#1565c0",
    "contradicted": "#c62828",
    "version_mismatch": "#ef6c00",
    "not_found": "#6d4c41",
    "not_replicated": "#ad1457",
    "inconclusive": "#fbc02d",
    "not_checked": "#78909c",  # the cited paper is not in the library: nothing was checked
    "error": "#424242",
    "not yet verified": "#9e9e9e",
}
PNG_METADATA = {"Software": "synth"}


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: Path) -> None:
    import matplotlib

    fig.tight_layout()
    with matplotlib.rc_context({"svg.hashsalt": "synth"}), atomic_open(path, "wb", encoding=None) as fh:
        fig.savefig(fh, format="png", metadata=PNG_METADATA)


def _styled(draw):
    """Run a drawing function under matplotlib's default style (ignores the user's matplotlibrc)."""
    import matplotlib.style

    with matplotlib.style.context("default"):
        draw()


def _volume(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


def verdict_chart(counts: dict[str, int], path: Path) -> None:
    """Horizontal bars: number of claims per verdict label (zero counts left out)."""
    labels = [label for label in VERDICT_COLOURS if counts.get(label)]
    labels += sorted(label for label in counts if label not in VERDICT_COLOURS and counts[label])

    from matplotlib.ticker import MaxNLocator

    def draw() -> None:
        fig = _figure(6.0, 0.45 * max(len(labels), 1) + 1.2)
        ax = fig.add_subplot()
        values = [counts[label] for label in labels]
        ax.barh(range(len(labels)), values, color=[VERDICT_COLOURS.get(lb, "#607d8b") for lb in labels])
        ax.set_yticks(range(len(labels)), [lb.replace("_", " ") for lb in labels])
        ax.invert_yaxis()
        for i, v in enumerate(values):
            ax.text(v, i, f" {v}", va="center")
        ax.set_xlabel("claims")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(values, default=1) * 1.15 + 0.5)
        ax.set_title("Verdicts")
        _save(fig, path)

    _styled(draw)


def language_chart(target: str, metric: str, languages: list[str], series: dict[str, list[float | None]],
                   path: Path, subtitle: str) -> None:
    """Grouped bars: zero-shot score per language for each series (e.g. baseline vs best intermediate)."""

    def draw() -> None:
        fig = _figure(max(5.0, 0.55 * len(languages) * max(len(series), 1) + 2.0), 3.6)
        ax = fig.add_subplot()
        width = 0.8 / max(len(series), 1)
        for k, (name, values) in enumerate(series.items()):
            xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(languages))]
            ax.bar(xs, [v if v is not None else 0.0 for v in values], width=width, label=name)
        ax.set_xticks(range(len(languages)), languages)
        ax.set_ylabel(metric or "score")
        ax.set_title(f"{target}: zero-shot score per language\n{subtitle}", fontsize=10)
        ax.legend(fontsize=8)
        _save(fig, path)

    _styled(draw)


def scaling_chart(target: str, task: str, curves: dict[str, list[tuple[int, float]]], path: Path,
                  ylabel: str, subtitle: str) -> None:
    """Lines: score change vs intermediate-task examples (log x), one line per resource class."""
    from matplotlib.ticker import NullLocator

    def draw() -> None:
        fig = _figure(5.5, 3.6)
        ax = fig.add_subplot()
        for cls, points in curves.items():
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=f"class {cls}")
        ax.set_xscale("log")
        volumes = sorted({p[0] for points in curves.values() for p in points})
        ax.set_xticks(volumes, [_volume(n) for n in volumes])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.axhline(0.0, color="#9e9e9e", linewidth=0.8)
        ax.set_xlabel(f"{task} training examples")
        ax.set_ylabel(ylabel)
        ax.set_title(f"{target}: data-volume scaling by resource class\n{subtitle}", fontsize=10)
        ax.legend(fontsize=8)
        _save(fig, path)

    _styled(draw)
