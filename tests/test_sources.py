"""Dataset sources: the picker's string keys keep their format, and each turns into the source it names."""

from __future__ import annotations

import pytest

from movierec.ui.sources import Source, source_label


@pytest.mark.parametrize(
    ("key", "source", "label"),
    [
        ("ml-latest-small", Source("release", "ml-latest-small"), "ml-latest-small"),
        ("folder:ml-1m:/data/ml-1m", Source("folder", "ml-1m", "/data/ml-1m"), "ml-1m from /data/ml-1m"),
        ("folder:ml-25m:C:/odd:name", Source("folder", "ml-25m", "C:/odd:name"), "ml-25m from C:/odd:name"),
        ("upload:upload-0123abcd", Source("upload", "upload-0123abcd"), "upload-0123abcd (uploaded CSV)"),
    ],
)
def test_a_source_key_round_trips_and_reads_as_before(key, source, label):
    assert Source.parse(key) == source
    assert source.key == key
    assert source_label(key) == label


def test_the_named_constructors_make_the_keys_the_sidebar_stores():
    assert Source.extracted("ml-1m", "/srv/ml-1m").key == "folder:ml-1m:/srv/ml-1m"
    assert Source.upload("upload-abc").key == "upload:upload-abc"
    assert Source.release("ml-100k").key == "ml-100k"
