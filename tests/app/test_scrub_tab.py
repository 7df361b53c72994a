"""The race's "Scrub α and γ" tab: its figure carries the engine's path for every α and γ (AppTest)."""

import base64

import numpy as np
from apptest_helpers import clean, figures, open_page

from optiviz.core.descent import descend
from optiviz.figures.scrub import MAX_STEPS
from optiviz.core.optimizers import make_optimizer
from optiviz.core.surfaces import SURFACES
from optiviz.ui.optimizer_race.views import SCRUB_MOMENTA, scrub_rates

TAB = "Scrub α and γ"


def decoded(spec: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.float32)


def scrub_figure(at) -> tuple[dict, int]:
    at.session_state["tab"] = TAB
    clean(at.run())
    figs = figures(at)
    (fig,) = [f for f in figs if f.get("layout", {}).get("sliders") and f["layout"]["sliders"][0]["currentvalue"]["prefix"] == "α = "]
    (chart,) = [c for c in at.get("plotly_chart") if '"α = "' in c.proto.spec]
    return fig, len(chart.proto.spec.encode())


def test_frames_hold_the_engine_paths_for_each_alpha():
    at = open_page("pages/optimizer_race.py")
    at.selectbox(key="surface").set_value("ravine").run()
    fig, size = scrub_figure(at)
    surface = SURFACES["ravine"]
    rates = scrub_rates(surface.learning_rates["momentum"])
    assert [f["name"] for f in fig["frames"]] == [f"{lr:g}" for lr in rates]
    assert len(rates) >= 15
    start = surface.starts[0][1]
    for gamma_index, gamma in enumerate(SCRUB_MOMENTA):
        engine = descend(surface, make_optimizer("momentum", momentum=gamma), [start] * len(rates), 200, np.array(rates))
        for a, frame in enumerate(fig["frames"]):
            gone = engine.diverged_at[a]
            n = gone if gone >= 0 else MAX_STEPS + 1
            drawn = decoded(frame["data"][gamma_index]["x"])
            np.testing.assert_array_equal(drawn[:n], engine.points[:n, a, 0].astype(np.float32))
    # the lesson: plain gradient descent diverges at the largest α, momentum's γ = 0.9 reaches further at a small one
    assert "diverges at γ = 0" in fig["layout"]["sliders"][0]["steps"][-1]["label"]
    assert size < 400_000, f"the scrub figure is {size} bytes"


def test_every_surface_draws_a_scrub_within_the_payload_cap():
    at = open_page("pages/optimizer_race.py")
    at.slider(key="steps").set_value(1000).run()
    for name in SURFACES:
        at.selectbox(key="surface").set_value(name).run()
        fig, size = scrub_figure(at)
        assert len(fig["frames"]) <= 30
        assert size < 450_000, f"{name}: {size} bytes"
        assert all(len(decoded(t["y"])) <= MAX_STEPS + 1 for f in fig["frames"] for t in f["data"])
