"""Writers of the generator's raw events (bawh.generator.generate(...).events) in trackers'
own export formats, one module per format: each turns the contract rows into the tracker's
documented records, so one generated truth can be built through every format's mapping
(macros/events/formats/<format>.sql) and compared with the contract build.

WRITERS maps a format name (var event_format) to its JSON-lines writer:
``writer(events, directory) -> list of files written``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from bawh.trackers import amplitude, ga4, mixpanel, posthog, segment, snowplow

Writer = Callable[[pa.Table, Path], list[Path]]

WRITERS: dict[str, Writer] = {
    "segment": segment.write_jsonl,
    "snowplow": snowplow.write_jsonl,
    "mixpanel": mixpanel.write_jsonl,
    "posthog": posthog.write_jsonl,
    "ga4": ga4.write_jsonl,
    "amplitude": amplitude.write_jsonl,
}
