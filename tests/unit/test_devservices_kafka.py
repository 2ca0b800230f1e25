"""The dev broker's log dir: leftover test partitions are counted so a start can drop them."""

from __future__ import annotations

from pathlib import Path

from infra.devservices.kafka import partition_count


def test_partition_folders_are_counted_and_metadata_is_not(tmp_path: Path) -> None:
    for name in ("t1.jobs.raw-0", "t1.jobs.raw-1", "t1.jobs.raw.dlq-0", "__cluster_metadata-0"):
        (tmp_path / name).mkdir()
    (tmp_path / "meta.properties").write_text("")
    (tmp_path / "bootstrap.checkpoint").write_text("")
    (tmp_path / "notes-x").mkdir()

    assert partition_count(tmp_path) == 4
    assert partition_count(tmp_path / "missing") == 0
