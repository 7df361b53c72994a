"""An open "Train a network" tab keeps no copy of its training (issue 16 §3, memory per open tab).

``cache.comparison`` is an ``st.cache_data``: every call returns a fresh copy of the cached result
(0.9 MB at the page's defaults). The page used to keep that copy for the life of the session: its
module namespace held ``result`` (and ``split``, ``points``, ``seeds``...), and the epoch slider's
fragment, registered for the session, held the namespace. Here, after the page ran and while its
session (and fragment) is still alive, no TrainingResult, Comparison or SeedCurves object may be
left: the fragment reads the result from the cache when it runs. Then the fragment must still work.
"""

import gc

from apptest_helpers import clean, figures, open_page

from optiviz.nn.records import Comparison, TrainingResult
from optiviz.nn.seeds import SeedCurves

PAGE = "pages/train_network.py"


def live(*types) -> list:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, types)]


def test_an_open_training_tab_holds_no_training_result():
    at = open_page(PAGE)
    assert len(figures(at)) >= 5  # the page did train and draw: four boundaries and the curves at least
    assert at.slider(key="epoch").value > 0
    assert not live(Comparison, TrainingResult, SeedCurves), "the session keeps a copy of the cached training"
    # the fragment still draws, from the cache, after the page's own copy is gone
    at.slider(key="epoch").set_value(3).run()
    clean(at)
    assert at.slider(key="epoch").value == 3
    assert len(figures(at)) >= 5
    assert not live(Comparison, TrainingResult, SeedCurves)
