"""A browser tab without the browser: one Streamlit session over the websocket at ``/_stcore/stream``.

It speaks the frontend's protocol (streamlit.proto): after connecting it sends a ``BackMsg``
``rerun_script`` carrying a ``ClientState`` (the page's url path on the first run, the page's
script hash and the widget states afterwards) and reads ``ForwardMsg``s until
``script_finished``. It sends no cached-message hashes, so the server sends every message in
full, as it does to a browser that has not seen them. Used by tests/deploy and benchmarks/bench_load.py.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.ScriptFinishedStatus.Name


def widget_key(widget_id: str) -> str:
    """The ``key=`` a page gave a widget, from its id ``$$ID-<hash>-<key>`` (the whole id if it has none)."""
    return widget_id.split("-", 2)[2] if widget_id.startswith("$$ID-") else widget_id


@dataclass
class Run:
    """What one script run sent back, timed from the moment its rerun request left."""

    first_figure: float | None = None  # seconds until the first st.plotly_chart arrived
    finished: float | None = None  # seconds until script_finished
    status: str = ""
    figures: int = 0
    exceptions: list[str] = field(default_factory=list)
    page_not_found: bool = False
    received_bytes: int = 0
    widgets: dict[str, object] = field(default_factory=dict)  # key -> the widget's element proto


class Session:
    """One websocket session: ``async with Session(url, "optimizer-race") as s: run = await s.rerun()``."""

    def __init__(self, base_url: str, page: str = "", timeout: float = 120.0, query: str | dict = ""):
        self.stream_url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.page, self.timeout = page, timeout
        self.query = query if isinstance(query, str) else urllib.parse.urlencode(query)  # as a shared link opens it
        self.page_script_hash = ""
        self.widgets: dict[str, object] = {}
        self._ws = None

    async def __aenter__(self) -> Session:
        self._ws = await websockets.connect(self.stream_url, subprotocols=["streamlit"], max_size=None,
                                            open_timeout=self.timeout)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def rerun(self, triggers: tuple[str, ...] = (), **values: float) -> Run:
        """Run the page with the sliders named by key set to ``values`` (the others keep their defaults)
        and the buttons named in ``triggers`` pressed."""
        request = BackMsg()
        state = request.rerun_script
        state.query_string = self.query
        if self.page_script_hash:
            state.page_script_hash = self.page_script_hash
        else:
            state.page_name = self.page
        for key, value in values.items():
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key].id
            widget.double_array_value.data.append(value)
        for key in triggers:
            widget = state.widget_states.widgets.add()
            widget.id = self.widgets[key].id
            widget.trigger_value = True
        run = Run()
        start = time.perf_counter()
        await self._ws.send(request.SerializeToString())
        while run.finished is None:
            data = await asyncio.wait_for(self._ws.recv(), self.timeout)
            run.received_bytes += len(data)
            self._read(ForwardMsg.FromString(data), run, time.perf_counter() - start)
        self.widgets.update(run.widgets)
        return run

    def _read(self, msg: ForwardMsg, run: Run, elapsed: float) -> None:
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_not_found":
            run.page_not_found = True
        elif kind == "script_finished":
            run.finished, run.status = elapsed, FINISHED(msg.script_finished)
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            what = msg.delta.new_element.WhichOneof("type")
            element = getattr(msg.delta.new_element, what)
            if what == "plotly_chart":
                run.figures += 1
                if run.first_figure is None:
                    run.first_figure = elapsed
            elif what == "exception":
                run.exceptions.append(element.message)
            elif getattr(element, "id", ""):
                run.widgets[widget_key(element.id)] = element
