"""The Kafka topic settings the manifests ship: every topic named, each config checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.bus.topic_settings import BadTopicSettings, read_topic_settings
from schemas.events.registry import topics_in_use
from schemas.events.topics import dead_letter_topic

SHIPPED = Path(__file__).resolve().parents[2] / "deploy/k8s/base/kafka/topics.yaml"
DAY_MS = 86_400_000


def test_the_shipped_file_sets_every_topic_in_use_and_its_dead_letters() -> None:
    configs = read_topic_settings(SHIPPED.read_text(), topics_in_use())

    assert set(configs) == {*topics_in_use(), *map(dead_letter_topic, topics_in_use())}
    assert all(c["min.insync.replicas"] == "2" for c in configs.values())
    compacted = {t for t, c in configs.items() if "compact" in c["cleanup.policy"]}
    assert compacted == {"config.scoring"}  # the one topic whose latest record is the state
    assert configs["jobs.raw"]["retention.ms"] == str(3 * DAY_MS)
    assert configs["config.portals"]["retention.ms"] == "-1"  # partial updates: keep them all
    assert {configs[dead_letter_topic(t)]["retention.ms"] for t in topics_in_use()} == {
        str(30 * DAY_MS)}
    deleting = [c for c in configs.values() if c["cleanup.policy"] == "delete"]
    assert all("retention.ms" in c for c in deleting)


@pytest.mark.parametrize(("text", "says"), [
    ("topics: {a: {cleanup.policy: delete}}", "topics missing: ['b']"),
    ("topics: {a: {}, b: {}, c: {}}", "topics not in use: ['c']"),
    ("topics: {a: {retention.mss: '1'}, b: {}}", "unknown configs ['retention.mss']"),
    ("topics: {a: {cleanup.policy: keep}, b: {}}", "cleanup.policy 'keep'"),
    ("topics: {a: {retention.ms: 3 days}, b: {}}", "whole number"),
    ("- a\n- b", "expected a mapping"),
])
def test_a_file_that_misses_a_topic_or_has_a_bad_config_is_refused(text: str, says: str) -> None:
    with pytest.raises(BadTopicSettings, match=says.replace("[", r"\[").replace("]", r"\]")):
        read_topic_settings(text, ["a", "b"])


def test_defaults_apply_under_each_topics_own_configs() -> None:
    text = ("defaults: {min.insync.replicas: 2, retention.ms: 10}\n"
            "topics: {a: {retention.ms: 20}}\ndead_letters: {cleanup.policy: delete}")

    assert read_topic_settings(text, ["a"]) == {
        "a": {"min.insync.replicas": "2", "retention.ms": "20"},
        "a.dlq": {"min.insync.replicas": "2", "retention.ms": "10", "cleanup.policy": "delete"},
    }
