"""Fixed papers and helpers shared by the UI tests (deterministic: fixed dates, no clocks shown).

No tests here: test_app*.py and test_snapshots.py import it.
"""

from __future__ import annotations

from pathlib import Path

from triage.store import Store, paper_id

MARCH_11 = [
    (
        "Diffusion Models Beat GANs on Image Synthesis",
        "We show that diffusion models can achieve image sample quality superior to the current "
        "state-of-the-art generative models, with classifier guidance.",
    ),
    (
        "Attention Is All You Need",
        "The dominant sequence transduction models are based on complex recurrent networks. "
        "We propose the Transformer, based solely on attention mechanisms.",
    ),
    (
        "Scaling Laws for Neural Language Models",
        "We study empirical scaling laws for language model performance on the cross-entropy loss.",
    ),
]
MARCH_12 = [
    (
        "Denoising Diffusion Probabilistic Models",
        "We present high quality image synthesis results using diffusion probabilistic models.",
    ),
    (
        "Vision Transformers Need Registers",
        "Transformers have recently emerged as a powerful tool for learning visual representations.",
    ),
    (
        "Mixture of Experts for Sparse Routing",
        "Sparse mixture of experts routes each token to a few experts to scale model capacity.",
    ),
]
# Newest listing first, then the order of the dump.
NEWEST_FIRST = [paper_id(title) for title, _ in MARCH_12 + MARCH_11]
TITLES = {paper_id(title): title for title, _ in MARCH_12 + MARCH_11}

HOSTILE_TITLES = [
    "[bold red]x[/] markup title",
    "x [/] y closing tag",
    "[@click=app.quit]y[/] click me",
    "[$accent]accent[/] variable",
    "Bell\x07 and \x1b[31mred\x1b[0m escape",
]


def make_db(path: Path, *, hostile: bool = False) -> Path:
    with Store(path) as store:
        store.add_papers(MARCH_11, source="mar-11.txt", listed_on="2026-03-11")
        store.add_papers(MARCH_12, source="mar-12.txt", listed_on="2026-03-12")
        if hostile:
            store.add_papers(
                [(title, f"Abstract of {title} [b]not bold[/b]") for title in HOSTILE_TITLES],
                source="[red]evil[/].txt",
                listed_on="2026-03-13",
            )
    return path


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot, delay: float = 0.05) -> None:
    """Let workers (search, index) finish and the screen repaint."""
    for _ in range(3):
        await pilot.pause(delay)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def notifications(app) -> list[str]:
    """The messages of the toasts currently shown."""
    return [notification.message for notification in app._notifications]
